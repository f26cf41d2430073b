// Answers not yet acknowledged, kept in IndexedDB until the server says OK
// or ALREADY_EXISTS (delivered) or a final refusal. One entry per token, so
// a retry always sends the same answer with the same token and counts once.
export interface Pending {
  token: string;
  submissionId: string;
  scores: number[];
  reasons: string[];
  comment: string;
}

const DB = "survey-outbox";
const STORE = "pending";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "token" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = op(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result as T);
      t.onerror = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const outbox = {
  put: (p: Pending) => tx<unknown>("readwrite", (s) => s.put(p)),
  get: (token: string) => tx<Pending | undefined>("readonly", (s) => s.get(token)),
  all: () => tx<Pending[]>("readonly", (s) => s.getAll()),
  remove: (token: string) => tx<unknown>("readwrite", (s) => s.delete(token)),
};
