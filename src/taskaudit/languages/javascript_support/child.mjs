// taskaudit: preloaded (--import) into every test process node's test runner starts.
//
// node --test runs each test file in a child process and reports what that child printed before
// it ended. A child that calls process.exit(0) (at load, or inside the function under test) ends
// "successfully" with some or none of its tests reported. This hook registers a root-level
// after() hook that prints a completion marker once every test of the file has finished; the
// driver counts a file complete only when it saw the marker. The marker's token is read from the
// environment and removed from process.env before any test or solution code is loaded.
//
// It also freezes node:assert before any task code loads: a solution that blanks
// assert.strictEqual (and friends) for the tests that import it would otherwise pass every test.
import assert from 'node:assert';
import { after } from 'node:test';

Object.freeze(assert.strict);
Object.freeze(assert);

const token = process.env.TASKAUDIT_JS_DONE;
delete process.env.TASKAUDIT_JS_DONE;
if (token) {
  after(() => {
    process.stdout.write(`\n@@taskaudit-file-done ${token}\n`);
  });
}
