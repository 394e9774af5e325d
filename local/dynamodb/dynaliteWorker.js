// Runs dynalite (DynamoDB's API on LevelDB) in a worker thread of the local runtime. dynalite throws
// a LevelDB failure (a full disk, a removed directory) from a callback; here that ends this thread,
// and its region's history with it, instead of the process that serves every region.
const { parentPort, workerData } = require("worker_threads");
const dynalite = require("dynalite");

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", (message) => {
  if (message !== "close") return;
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
