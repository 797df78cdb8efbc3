// Parsed JSON and YAML values as the validators in src/common check them: a plain object guard, one
// copy for every parser of what crosses a process boundary (events, run files, sweep files, the
// webview protocol, config aliases).

/** A plain object's fields, not yet checked. */
export type Obj = Record<string, unknown>;

/** Whether `v` is a plain object: not null, not an array. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v`'s fields when it is a plain object, else none: for reading optional sections of a parsed config. */
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
