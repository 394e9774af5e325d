import { expect } from "chai";
import { DocumentStore } from "../../local/appsync/documentStore";

/** A store whose documents record what was prepared. */
function store(maxCharacters: number, maxIdleCharacters: number) {
  const prepared: string[] = [];
  const documents = new DocumentStore<string>(maxCharacters, maxIdleCharacters, (text) => {
    prepared.push(text);
    return `parsed ${text}`;
  });
  return { documents, prepared };
}

describe("local runtime: the parsed-document store", () => {
  it("prepares identical texts once and shares the document while any user holds it", () => {
    const { documents, prepared } = store(10, 0);
    const first = documents.acquire("aaaa");
    const second = documents.acquire("aaaa");
    expect([first?.value, second?.value]).to.deep.equal(["parsed aaaa", "parsed aaaa"]);
    expect(first?.documentId).to.equal(second?.documentId);
    first?.release();
    expect(documents.acquire("aaaa")?.documentId).to.equal(second?.documentId);
    expect(prepared).to.deep.equal(["aaaa"]);
    expect(documents.size).to.equal(4);
  });

  it("refuses a new text, without preparing it, while documents in use fill the budget, and takes it once one is released", () => {
    const { documents, prepared } = store(10, 10);
    const held = documents.acquire("aaaa");
    documents.acquire("bbbb");
    expect(documents.acquire("ccc")).to.equal(null);
    expect(prepared).to.deep.equal(["aaaa", "bbbb"]);
    expect(documents.acquire("cc")?.value).to.equal("parsed cc");
    held?.release();
    expect(documents.acquire("ccc")?.value).to.equal("parsed ccc");
    expect(documents.size).to.equal(9);
  });

  it("keeps documents no one uses up to its idle budget, dropping the least recently used first", () => {
    const { documents, prepared } = store(100, 8);
    for (const text of ["aaaa", "bbbb", "aaaa", "cccc"]) documents.acquire(text)?.release();
    // aaaa was used after bbbb, so bbbb went when cccc came.
    for (const text of ["aaaa", "bbbb"]) documents.acquire(text);
    expect(prepared).to.deep.equal(["aaaa", "bbbb", "cccc", "bbbb"]);
  });

  it("drops idle documents to make room for a new one within the budget", () => {
    const { documents, prepared } = store(8, 8);
    documents.acquire("aaaa")?.release();
    documents.acquire("bbbb");
    expect(documents.acquire("cccc")?.value).to.equal("parsed cccc");
    expect(documents.size).to.equal(8);
    documents.acquire("aaaa");
    expect(prepared).to.deep.equal(["aaaa", "bbbb", "cccc"]);
  });

  it("counts a lease released twice once", () => {
    const { documents } = store(8, 0);
    const first = documents.acquire("aaaa");
    const second = documents.acquire("aaaa");
    first?.release();
    first?.release();
    expect(documents.acquire("bbbbb")).to.equal(null);
    second?.release();
    expect(documents.acquire("bbbbb")?.value).to.equal("parsed bbbbb");
  });
});
