import { expect } from "chai";
import { addToBoard, BOARD_SIZE } from "../../client/web/src/board";

const message = (id: string, publishedAt = "2026-01-01T00:00:00.000Z") => ({
  name: "general",
  data: { text: id },
  id,
  origin: "us-west-2",
  publishedAt,
  sender: null,
});

describe("web app: message board", () => {
  it("puts the newest message on top with its latency from publishedAt", () => {
    const published = Date.parse("2026-01-01T00:00:00.000Z");
    const board = addToBoard(addToBoard([], message("a"), published + 40), message("b"), published + 75);
    expect(board.map((shown) => [shown.id, shown.latencyMs])).to.deep.equal([
      ["b", 75],
      ["a", 40],
    ]);
  });

  it("shows a message delivered twice (same id) once", () => {
    const board = addToBoard([], message("a"), 0);
    expect(addToBoard(board, message("a"), 10)).to.equal(board);
  });

  it("keeps the newest messages only", () => {
    let board = addToBoard([], message("first"), 0);
    for (let n = 0; n < BOARD_SIZE; n += 1) board = addToBoard(board, message(`m${n}`), 0);
    expect(board).to.have.length(BOARD_SIZE);
    expect(board.map((shown) => shown.id)).not.to.include("first");
  });
});
