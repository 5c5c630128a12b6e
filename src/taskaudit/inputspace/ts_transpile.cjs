// Transpile TypeScript sources to JavaScript, types stripped, no type check (taskaudit's input
// harness runs the result). Trusted: runs outside the sandbox and never executes task code.
// argv: <typescript module dir> <job.json>; job = {module: "commonjs"|"es2022", files: {path: source}}
// prints {path: javascript} as JSON.
const ts = require(process.argv[2]);
const job = JSON.parse(require("node:fs").readFileSync(process.argv[3], "utf8"));
const kind = job.module === "es2022" ? ts.ModuleKind.ES2022 : ts.ModuleKind.CommonJS;
const out = {};
for (const [path, source] of Object.entries(job.files)) {
  out[path] = ts.transpileModule(source, {
    fileName: path,
    compilerOptions: { module: kind, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
}
process.stdout.write(JSON.stringify(out));
