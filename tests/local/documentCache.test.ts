import { expect } from "chai";
import { DocumentCache } from "../../local/appsync/documentCache";

describe("local runtime: the parsed-document cache", () => {
  it("keeps at most its budget of query text, dropping the least recently used first", () => {
    const cache = new DocumentCache<number>(10, 5);
    cache.set("aaaa", 1);
    cache.set("bbbb", 2);
    expect(cache.get("aaaa")).to.equal(1);
    cache.set("cccc", 3);
    expect([cache.get("aaaa"), cache.get("bbbb"), cache.get("cccc")]).to.deep.equal([1, undefined, 3]);
    expect(cache.size).to.equal(8);
  });

  it("never keeps a query larger than its entry limit", () => {
    const cache = new DocumentCache<number>(100, 5);
    cache.set("123456", 1);
    expect(cache.get("123456")).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });
});
