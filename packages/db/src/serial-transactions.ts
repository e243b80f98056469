/**
 * Prisma's query interpreter runs the independent reads of one query at once (a relation's rows
 * beside its parent's, `Array.map` over the nodes). Outside a transaction each goes to its own pool
 * connection; inside one they all land on the transaction's single `pg.Client`, which queues them
 * but warns "Calling client.query() when the client is already executing a query is deprecated"
 * (and pg 9 refuses it). One connection runs one query at a time anyway, so queueing them here, in
 * order, changes nothing but the warning and keeps working on pg 9.
 */
import { PrismaPg } from "@prisma/adapter-pg";

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;

function runOneAtATime(tx: Transaction): Transaction {
  let tail: Promise<unknown> = Promise.resolve();
  const queue = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run);
    tail = next.catch(() => undefined);
    return next;
  };
  const queryRaw = tx.queryRaw.bind(tx);
  const executeRaw = tx.executeRaw.bind(tx);
  tx.queryRaw = (query) => queue(() => queryRaw(query));
  tx.executeRaw = (query) => queue(() => executeRaw(query));
  return tx;
}

/** The pg adapter, with each transaction's queries sent one after another on its connection. */
export class SerialTransactionsPg extends PrismaPg {
  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) =>
      runOneAtATime(await startTransaction(isolationLevel));
    return adapter;
  }
}
