// Which found interpreter serves an app, and how the QuickPick describes each (interpreterChoice.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseInterpreter, describeProbe, type FoundInterpreter, requiredModules, workerClassModule } from '../../../extension/vscode/interpreterChoice';

const found = (path: string, modules: Record<string, string | null>, source: FoundInterpreter['source'] = 'PATH', error?: string): FoundInterpreter =>
  ({ path, source, probe: { path, python: error ? undefined : '3.12.1', modules, error } });

describe('interpreter choice', () => {
  it('needs gunicorn, the framework and the worker class\'s package', () => {
    assert.deepEqual(requiredModules({ framework: 'flask', workerClass: '' }), ['gunicorn', 'flask']);
    assert.deepEqual(requiredModules({ framework: 'fastapi', workerClass: 'uvicorn.workers.UvicornWorker' }), ['gunicorn', 'fastapi', 'uvicorn']);
    assert.deepEqual(requiredModules({ workerClass: 'gevent' }), ['gunicorn', 'gevent']);
    assert.deepEqual(requiredModules({}), ['gunicorn']);
    assert.equal(workerClassModule('gthread'), undefined);
    assert.equal(workerClassModule('uvicorn_worker.UvicornWorker'), 'uvicorn_worker');
    assert.equal(workerClassModule('egg:gunicorn#eventlet'), 'eventlet');
  });

  it('takes the first, in discovery order, that imports everything', () => {
    const modules = ['gunicorn', 'flask'];
    const choice = chooseInterpreter([
      found('/w/.venv/bin/python', { gunicorn: null, flask: '3.1.0' }, 'workspace venv'),
      found('python3', { gunicorn: '23.0.0', flask: null }),
      found('/usr/bin/python3', { gunicorn: '20.1.0', flask: '2.2.2' }),
      found('python', { gunicorn: '23.0.0', flask: '3.0.0' }),
    ], modules);
    assert.equal(choice.chosen?.path, '/usr/bin/python3');
    assert.deepEqual(choice.tried.map((t) => t.lacks), [['gunicorn'], ['flask'], [], []]);
  });

  it('when none fits, names the one with the app\'s packages as the place to install gunicorn', () => {
    const choice = chooseInterpreter([
      found('python3', { gunicorn: '23.0.0', flask: null }),
      found('/w/venv/bin/python', { gunicorn: null, flask: '3.1.0' }, 'workspace venv'),
    ], ['gunicorn', 'flask']);
    assert.equal(choice.chosen, undefined);
    assert.equal(choice.closest?.path, '/w/venv/bin/python');
  });

  it('when no interpreter has the app\'s packages, the closest is the first that ran', () => {
    const choice = chooseInterpreter([
      found('/gone/python', { gunicorn: null }, 'gunicornLive.pythonPath', '/gone/python was not found'),
      found('python3', { gunicorn: '23.0.0', django: null }),
    ], ['gunicorn', 'django']);
    assert.equal(choice.chosen, undefined);
    assert.equal(choice.closest?.path, 'python3');
    assert.deepEqual(choice.tried.map((t) => t.lacks), [['gunicorn', 'django'], ['django']]);
  });

  it('describes what an interpreter imports, in the QuickPick\'s words', () => {
    assert.equal(describeProbe(found('p', { gunicorn: '20.1.0', flask: '2.2.2' }).probe, ['gunicorn', 'flask']), 'Gunicorn 20.1.0 · Flask 2.2.2');
    assert.equal(describeProbe(found('p', { gunicorn: null, uvicorn: '?' }).probe, ['gunicorn', 'uvicorn']), 'no Gunicorn · uvicorn');
    assert.equal(describeProbe(found('p', {}, 'PATH', 'p was not found').probe, ['gunicorn']), 'p was not found');
  });
});
