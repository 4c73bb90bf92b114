"""The config file the launcher passes to Gunicorn as `-c`.

Gunicorn reads only one config file, so this one loads the user's own — $GUNICORN_LIVE_USER_CONFIG
(a path, `file:PATH` or `python:MODULE`), else ./gunicorn.conf.py when it exists — the way Gunicorn
would, copies its settings and hooks into this module's globals (which Gunicorn then reads as the
config), and instruments Gunicorn. Command-line arguments still override, as always. Gunicorn
re-executes this file on HUP, so the user's config is re-read then too.
Every helper name here starts with an underscore so none can be mistaken for a Gunicorn setting."""
import importlib as _importlib
import importlib.machinery as _machinery
import importlib.util as _util
import os as _os
import sys as _sys
import traceback as _traceback

_USER_MODULE = "__gunicorn_live_user_config__"


def _fail(message):
    print("Error: %s" % message, file=_sys.stderr)
    _sys.stderr.flush()
    _sys.exit(1)


def _user_config_location():
    location = _os.environ.get("GUNICORN_LIVE_USER_CONFIG", "").strip()
    if location:
        return location
    default = _os.path.join(_os.path.abspath(_os.getcwd()), "gunicorn.conf.py")
    return default if _os.path.exists(default) else None


def _load_user_config(location):
    """The user's config as a dict of names, loaded like Gunicorn loads a config file."""
    if location.startswith("python:"):
        try:
            return dict(vars(_importlib.import_module(location[len("python:"):])))
        except Exception:
            print("Failed to read config file: %s" % location, file=_sys.stderr)
            _traceback.print_exc()
            _sys.stderr.flush()
            _sys.exit(1)
    filename = location[len("file:"):] if location.startswith("file:") else location
    if not _os.path.exists(filename):
        _fail("%r doesn't exist" % filename)
    try:
        if _os.path.splitext(filename)[1] in (".py", ".pyc"):
            spec = _util.spec_from_file_location(_USER_MODULE, filename)
        else:
            loader = _machinery.SourceFileLoader(_USER_MODULE, filename)
            spec = _util.spec_from_file_location(_USER_MODULE, filename, loader=loader)
        module = _util.module_from_spec(spec)
        _sys.modules[_USER_MODULE] = module
        spec.loader.exec_module(module)
    except Exception:
        print("Failed to read config file: %s" % filename, file=_sys.stderr)
        _traceback.print_exc()
        _sys.stderr.flush()
        _sys.exit(1)
    return dict(vars(module))


def _import_agent():
    """The package this file belongs to, even when only this file's path was given to Gunicorn."""
    root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
    if root not in _sys.path:
        _sys.path.insert(0, root)
    from gunicorn_live import GunicornInstrumentor as _Instrumentor
    return _Instrumentor


_location = _user_config_location()
_user_settings = _load_user_config(_location) if _location else {}
_import_agent()().instrument()
globals().update({_k: _v for _k, _v in _user_settings.items() if not _k.startswith("_")})
