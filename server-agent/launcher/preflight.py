"""How Gunicorn will read a command line, asked before `gunicorn-live run` starts anything.

Run as `python preflight.py GUNICORN_ARGUMENT...` in the folder Gunicorn will run in, with its environment;
prints one JSON line (see ProbeReport in extension/cli/preflight.ts) and exits 0. Only Gunicorn and the
standard library are imported. The arguments are read by Gunicorn's own parser, not a copy of its option
table, so abbreviations (`--bi`), `-b127.0.0.1:8000`, `--bind=...`, `--`, GUNICORN_CMD_ARGS and each
version's options mean exactly what they mean to Gunicorn. The user's app and config are never imported
(that runs their code): the app module is located with import specs, and the config file is read as text.
"""
import ast
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import sys

CONFIG_NAME = "gunicorn.conf.py"


class Refused(Exception):
    pass


def refuse(message):
    raise Refused(message)


def parse(cfg, argv):
    """(args, env_args) as Gunicorn parses them; raises Refused, or SystemExit for -h/--version."""
    parser = cfg.parser()
    parser.error = refuse
    out = sys.stdout
    sys.stdout = io.StringIO()  # -h/--version print before they exit: not into our one JSON line
    try:
        return parser.parse_args(argv), parser.parse_args(cfg.get_cmd_args_from_env())
    finally:
        sys.stdout = out


def config_location(args, cwd, chdir):
    """The user's config as the launcher hands it to the shim: their -c, else a gunicorn.conf.py."""
    if args.config is not None:
        return args.config
    for folder in (cwd, chdir):
        if os.path.exists(os.path.join(folder, CONFIG_NAME)):
            return os.path.join(folder, CONFIG_NAME)
    return None


def bind_in_config(text):
    """The binds a config file's text sets: a list of strings, [] when it sets none, None when only running it
    could tell (computed, conditional, imported, or not Python this version can parse)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    stores = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "bind" and isinstance(node.ctx, (ast.Store, ast.Del)):
            stores.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name.split(".")[0]) == "bind" for alias in node.names):
                return None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == "bind":
            return None
        elif isinstance(node, ast.Global) and "bind" in node.names:
            return None
    if not stores:
        return []
    top = [s for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1
           and isinstance(s.targets[0], ast.Name) and s.targets[0].id == "bind"]
    if len(stores) != 1 or len(top) != 1:
        return None
    try:
        value = ast.literal_eval(top[0].value)
    except ValueError:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def read_config(location):
    """What the config file's text says, without running it."""
    config = {"path": location}
    if location.startswith("python:"):
        config["opaque"] = True
        return config, None
    path = os.path.abspath(location[len("file:"):] if location.startswith("file:") else location)
    config["path"] = path
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        config["missing"] = True
        text = ""
    config["opaque"] = bool(re.search(r"import\s+\*|\b(globals|vars|locals|exec|setattr|__import__)\s*\(|__dict__", text))
    config["wsgiApp"] = bool(re.search(r"\bwsgi_app\b", text))
    config["daemon"] = bool(re.search(r"^daemon\s*=\s*True\b", text, re.M))
    config["reusePort"] = bool(re.search(r"\breuse_port\b", text))
    config["paths"] = bool(re.search(r"\b(chdir|pythonpath|sys\.path|PYTHONPATH)\b", text))
    binds = None if config["opaque"] or config.get("missing") else bind_in_config(text)
    return config, binds


def effective_binds(gutil, args, env_args, config, config_binds, default):
    """The addresses Gunicorn will listen on, each with where it comes from, as Gunicorn ranks them: the
    command line, then GUNICORN_CMD_ARGS, then the config file, then its default. None: cannot tell."""
    if args.bind:
        chosen, source = args.bind, "command line"
    elif env_args.bind:
        chosen, source = env_args.bind, "GUNICORN_CMD_ARGS"
    elif config is not None and config_binds is None:
        return None
    elif config_binds:
        chosen, source = config_binds, "config"
    else:
        chosen, source = default, "default"
    binds = []
    for bind in chosen:
        entry = {"bind": bind, "source": source}
        try:
            address = gutil.parse_address(bind)
        except Exception as e:
            entry["error"] = str(e)
            binds.append(entry)
            continue
        if isinstance(address, tuple):
            entry["host"], entry["port"] = address[0], address[1]
        binds.append(entry)
    return binds


def missing_module(module, app, chdir, pythonpath):
    """The part of the app's module that cannot be found along the workers' sys.path, or None."""
    # sys.path as in Gunicorn's workers: --pythonpath (relative to --chdir), --chdir, then the
    # interpreter's own. Gunicorn runs from its launcher script (as from its console script), so the
    # launch directory is on sys.path only as the default --chdir; sys.path[0] here is this file's folder.
    extra = [os.path.abspath(os.path.join(chdir, p)) for p in (pythonpath or "").split(",") if p]
    dirs = list(reversed(extra)) + [chdir]
    sys.path[:] = dirs + [p for p in sys.path[1:] if p not in dirs]
    parts = module.split(".")
    spec = importlib.util.find_spec(parts[0])
    for i in range(1, len(parts) + 1):
        if spec is None:
            found = {"name": module, "missing": ".".join(parts[:i]), "dirs": dirs}
            if module.endswith(".py") and os.path.exists(os.path.join(chdir, module)):
                found["hint"] = "%s:%s" % (module[:-3], app.split(":", 1)[1] if ":" in app else "application")
            return found
        if i == len(parts):
            return None
        # Look inside the package without running its __init__: its own locations, and the same
        # folder elsewhere on sys.path (pkgutil-style packages spread over several).
        places = list(spec.submodule_search_locations or [])
        if not places:
            spec = None
            continue
        places += [d for d in (os.path.join(p, *parts[:i]) for p in sys.path) if os.path.isdir(d) and d not in places]
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:i + 1]), places)
    return None


def probe(argv):
    """The report for Gunicorn arguments `argv`, run in the folder and environment Gunicorn will have."""
    from gunicorn import config as gconfig, util as gutil
    report = {}
    cfg = gconfig.Config(prog="gunicorn")
    try:
        args, env_args = parse(cfg, argv)
    except SystemExit:
        report["passthrough"] = True
        return report
    except Refused as e:
        report["error"] = str(e)
        return report
    default_bind = list(cfg.bind)  # Gunicorn's own default: 127.0.0.1:8000, or 0.0.0.0:$PORT
    try:
        for source in (env_args, args):
            for k, v in vars(source).items():
                if v is not None and k != "args" and k in cfg.settings:
                    cfg.set(k.lower(), v)
    except Exception as e:
        report["error"] = str(e)
        return report
    report["daemon"] = bool(cfg.daemon)
    report["app"] = app = args.args[0] if args.args else None
    report["paste"] = bool(getattr(cfg, "paste", None))
    report["reuseport"] = bool(getattr(cfg, "reuse_port", False))
    chdir = cfg.chdir
    location = config_location(args, os.getcwd(), chdir)
    config, config_binds = read_config(location) if location is not None else (None, [])
    report["config"] = config
    binds = effective_binds(gutil, args, env_args, config, config_binds, default_bind)
    if binds is not None:
        report["binds"] = binds
    if "PORT" in os.environ:
        report["portVar"] = os.environ["PORT"]
    module = app.split(":", 1)[0] if app else ""
    if module and not report["paste"] and not (config and (config["opaque"] or config.get("paths") or config.get("missing"))):
        try:
            report["module"] = missing_module(module, app, chdir, cfg.pythonpath)
        except Exception:
            pass  # an odd package layout: Gunicorn will say it itself
    return report


def main(argv):
    sys.stdout.write(json.dumps(probe(argv)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
