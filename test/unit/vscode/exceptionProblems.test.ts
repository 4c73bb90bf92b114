// request_exception events → Problems (extension/vscode/problems/exceptionProblems.ts): one per exception
// and place, on the user's innermost frame, counts and routes merged across events, workers and servers;
// cleared per server and per saved file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestExceptionEvent, StackFrame } from '../../../extension/protocol/agent';
import { describeOccurrences, ExceptionProblems, placeOf } from '../../../extension/vscode/problems/exceptionProblems';

const WS = '/home/me/shop';
const inWorkspace = (file: string) => file.startsWith(`${WS}/`);
const flask = (line: number, fn: string): StackFrame => ({ file: `${WS}/.venv/lib/python3.11/site-packages/flask/app.py`, line, function: fn });
const own = (line: number, fn: string, file = `${WS}/app.py`): StackFrame => ({ file, line, function: fn });
const gunicorn: StackFrame = { file: '/usr/lib/python3/dist-packages/gunicorn/workers/sync.py', line: 178, function: 'handle_request' };

const event = (over: Partial<RequestExceptionEvent> = {}): RequestExceptionEvent => ({
  type: 'request_exception', pid: 7, method: 'GET', route: '/boom', exception: 'RuntimeError: boom on purpose', count: 1, at: 1000,
  stack: [flask(1796, 'dispatch_request'), own(30, 'boom'), own(22, 'explode')], ...over,
});

describe('exception Problems', () => {
  it('go on the innermost workspace frame that is not a library\'s, else the innermost own frame, else the innermost', () => {
    assert.deepEqual(placeOf([flask(1796, 'dispatch_request'), own(30, 'boom'), own(22, 'explode')], inWorkspace), own(22, 'explode'));
    // Raised inside a library the user's code called: the user's call.
    assert.deepEqual(placeOf([own(30, 'boom'), flask(400, 'jsonify'), { file: '/usr/lib/python3.11/json/encoder.py', line: 180, function: 'default' }], inWorkspace), own(30, 'boom'));
    // Code outside the workspace (an attached server's app elsewhere) that is nobody's library.
    assert.deepEqual(placeOf([gunicorn, own(5, 'app', '/srv/other/app.py')], inWorkspace), own(5, 'app', '/srv/other/app.py'));
    // The agent's own launcher and Gunicorn are libraries too; with nothing else, the innermost frame.
    assert.deepEqual(placeOf([gunicorn, { file: '/x/server-agent/launcher/gunicorn', line: 3, function: '<module>' }], inWorkspace),
      { file: '/x/server-agent/launcher/gunicorn', line: 3, function: '<module>' });
    assert.equal(placeOf([], inWorkspace), undefined);
  });

  it('one Problem per exception and place: counts and routes add up across events, workers and servers', () => {
    const p = new ExceptionProblems(inWorkspace);
    assert.equal(p.add('s1', event({ count: 2 })), true);
    p.add('s1', event({ pid: 8, count: 1, at: 1005 }));
    p.add('s1', event({ method: 'POST', count: 4, at: 1003 }));
    p.add('s2', event({ count: 1, at: 1001 }));
    // Another call path to the same raise: the same Problem; the latest traceback is the one shown.
    const viaApi = [flask(1796, 'dispatch_request'), own(60, 'api'), own(22, 'explode')];
    p.add('s2', event({ route: '/api', stack: viaApi, at: 1010 }));
    // Same place, another message; another place, same message: Problems of their own.
    p.add('s1', event({ exception: 'RuntimeError: other' }));
    p.add('s1', event({ stack: [own(30, 'boom')] }));
    const list = p.list();
    assert.deepEqual(list.map((x) => [x.file, x.line, x.message, x.count]), [
      [`${WS}/app.py`, 22, 'RuntimeError: boom on purpose', 9],
      [`${WS}/app.py`, 22, 'RuntimeError: other', 1],
      [`${WS}/app.py`, 30, 'RuntimeError: boom on purpose', 1],
    ]);
    assert.deepEqual(list[0]!.routes, [{ route: 'GET /boom', count: 4 }, { route: 'POST /boom', count: 4 }, { route: 'GET /api', count: 1 }]);
    assert.equal(list[0]!.at, 1010);
    assert.deepEqual(list[0]!.stack, viaApi);
    assert.equal(describeOccurrences(list[0]!), '9 failed requests: GET /boom ×4, POST /boom ×4, GET /api ×1');
    assert.equal(describeOccurrences(list[1]!), '1 failed request: GET /boom ×1');
  });

  it('a stopped or relaunched server takes its Problems along; a saved file drops the Problems placed in it', () => {
    const p = new ExceptionProblems(inWorkspace);
    p.add('s1', event({ count: 2 }));
    p.add('s2', event({ count: 5 }));
    p.add('s2', event({ stack: [own(3, 'helper', `${WS}/util.py`)] }));
    assert.equal(p.clearServer('s1'), true);
    assert.equal(p.clearServer('s1'), false);
    assert.deepEqual(p.list().map((x) => [x.file, x.count]), [[`${WS}/app.py`, 5], [`${WS}/util.py`, 1]]);
    assert.equal(p.clearFile(`${WS}/app.py`), true);
    assert.equal(p.clearFile(`${WS}/app.py`), false);
    assert.deepEqual(p.list().map((x) => x.file), [`${WS}/util.py`]);
    // It happens again after the save: filed again, counting from there.
    p.add('s2', event({ count: 1 }));
    assert.deepEqual(p.list().map((x) => [x.file, x.count]), [[`${WS}/app.py`, 1], [`${WS}/util.py`, 1]]);
  });

  it('files nothing for an event without a usable frame', () => {
    const p = new ExceptionProblems(inWorkspace);
    assert.equal(p.add('s1', event({ stack: [] })), false);
    assert.equal(p.add('s1', event({ stack: [own(0, '<module>')] })), false);
    assert.deepEqual(p.list(), []);
  });
});
