// The JavaScript input harness: call one exported function of each variant on every input and
// print the outputs, one line "<nonce> <json>" per call (the same protocol as pyharness.py).
//
// Run in the sandbox as `node jsharness.mjs JOB`. Each variant's calls run in a worker thread
// so that a call that never returns (a synchronous infinite loop cannot be interrupted in its
// own thread) is ended by terminating the worker; the next calls run in a fresh worker.
// Values are encoded like pyharness.encode: arrays -> lists, objects/Maps -> {"dict": ...},
// Sets -> {"set": ...}, non-finite numbers -> {"float": ...}, undefined -> {"repr": ...}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

function encode(value, depth = 0) {
  if (depth > 50) return { repr: "<nested too deeply>", type: typeof value };
  if (value === null) return null;
  if (value === undefined) return { repr: "undefined", type: "undefined" };
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { float: "nan" };
    if (!Number.isFinite(value)) return { float: value > 0 ? "inf" : "-inf" };
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => encode(v, depth + 1));
  if (value instanceof Set) {
    const items = [...value].map((v) => encode(v, depth + 1));
    items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return { set: items };
  }
  if (value instanceof Map) return { dict: [...value].map(([k, v]) => [encode(k, depth + 1), encode(v, depth + 1)]) };
  if (value instanceof Error) return { repr: `${value.name}: ${value.message}`, type: "Error" };
  if (typeof value === "object") return { dict: Object.entries(value).map(([k, v]) => [k, encode(v, depth + 1)]) };
  return { repr: String(value).slice(0, 300), type: typeof value };
}

function decode(data) {
  if (Array.isArray(data)) return data.map(decode);
  if (data === null || typeof data !== "object") return data;
  if ("tuple" in data) return data.tuple.map(decode);
  if ("set" in data) return new Set(data.set.map(decode));
  if ("dict" in data) return Object.fromEntries(data.dict.map(([k, v]) => [decode(k), decode(v)]));
  if ("float" in data) return data.float === "nan" ? NaN : data.float === "-inf" ? -Infinity : Infinity;
  throw new Error(`cannot decode ${JSON.stringify(data)}`);
}

async function workerMain() {
  const { module, calls, start, deadline } = workerData;
  let mod;
  try {
    mod = await import(pathToFileURL(module).href);
  } catch (err) {
    parentPort.postMessage({ import_error: `${err?.name}: ${err?.message}`.slice(0, 500) });
    return;
  }
  // console output of task code must not reach the protocol (the parent owns stdout)
  for (const k of ["log", "info", "warn", "error", "debug"]) console[k] = () => {};
  for (let c = start; c < calls.length; c++) {
    // The time budget (an epoch deadline: the parent's clock and ours differ in origin). The
    // calls left are reported by the host as not run, never silently dropped.
    if (Date.now() > deadline) break;
    const call = calls[c];
    const fn = mod[call.function] ?? mod.default?.[call.function] ?? (mod.default?.name === call.function ? mod.default : undefined);
    parentPort.postMessage({ started: c });
    const t0 = performance.now();
    const record = { call: c };
    if (typeof fn !== "function") {
      record.raise = "AttributeError";
      record.message = `module does not export ${call.function}`;
    } else {
      try {
        let value = fn(...decode(call.args));
        if (value && typeof value.then === "function") value = await value;
        record.value = encode(value);
      } catch (err) {
        record.raise = err?.constructor?.name ?? typeof err;
        record.bases = [];
        for (let p = Object.getPrototypeOf(err?.constructor ?? {}); p && p.name; p = Object.getPrototypeOf(p)) record.bases.push(p.name);
        record.message = String(err?.message ?? err).slice(0, 300);
      }
    }
    record.ms = Math.round((performance.now() - t0) * 1000) / 1000;
    parentPort.postMessage(record);
  }
  parentPort.postMessage({ finished: true });
}

function emit(nonce, record) {
  process.stdout.write(`${nonce} ${JSON.stringify(record)}\n`);
}

function runVariant(job, v, start) {
  // Resolves with the index to resume from (after a timeout), or -1 when the variant is done.
  return new Promise((resolve) => {
    const module = `${job.variants[v]}/${job.module}`;
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { module, calls: job.calls, start, deadline: job.deadline },
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let current = -1;
    let timer = null;
    let settled = false;
    const finish = (next) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate().finally(() => resolve(next));
    };
    worker.on("message", (msg) => {
      if (msg.started !== undefined) {
        current = msg.started;
        clearTimeout(timer);
        timer = setTimeout(() => {
          emit(job.nonce, { variant: v, call: current, timeout: true, ms: job.call_seconds * 1000 });
          finish(current + 1);
        }, job.call_seconds * 1000);
      } else if (msg.import_error !== undefined) {
        emit(job.nonce, { variant: v, import_error: msg.import_error });
        finish(-1);
      } else if (msg.finished) {
        finish(-1);
      } else {
        clearTimeout(timer);
        emit(job.nonce, { variant: v, ...msg });
      }
    });
    worker.on("error", (err) => {
      if (current >= 0) emit(job.nonce, { variant: v, call: current, raise: err?.name ?? "Error", message: String(err?.message ?? err).slice(0, 300) });
      finish(current >= 0 ? current + 1 : -1);
    });
    worker.on("exit", () => finish(current >= 0 ? current + 1 : -1));
  });
}

async function main() {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
  // Started in the variants directory: re-root where it is a host path (unisolated backend).
  const root = job.variant_root;
  if (root && process.cwd() !== root) {
    job.variants = job.variants.map((d) => (d.startsWith(root) ? process.cwd() + d.slice(root.length) : d));
  }
  const started = performance.now();
  job.deadline = Date.now() + job.budget_seconds * 1000;
  for (let v = 0; v < job.variants.length; v++) {
    let next = 0;
    let timeouts = 0;
    while (next >= 0 && next < job.calls.length) {
      if ((performance.now() - started) / 1000 > job.budget_seconds || timeouts >= (job.max_timeouts ?? 2)) break;
      const resumed = await runVariant(job, v, next);
      if (resumed >= 0) timeouts += 1;
      next = resumed;
    }
  }
  emit(job.nonce, { done: true });
}

if (isMainThread) {
  await main();
} else {
  await workerMain();
}
