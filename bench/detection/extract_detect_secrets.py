"""Labeled lines from Yelp detect-secrets' plugin tests: every pytest parametrisation whose rows hold a line and
a flag (should_flag / expected secret / None). The test modules are executed with detect_secrets stubbed out
and pytest.mark.parametrize replaced by a recorder; nothing of detect-secrets runs."""
import importlib.abc, importlib.machinery, json, subprocess, sys, types
from unittest import mock

import os
GIT = os.environ['ROTOR_EVAL_DETECT_SECRETS']  # a clone (or bare git dir) of Yelp/detect-secrets

class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('detect_secrets', 'testing'):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None
    def create_module(self, spec):
        m = mock.MagicMock(name=spec.name)
        m.__path__ = []
        m.__spec__ = spec
        return m
    def exec_module(self, module):
        pass

sys.meta_path.insert(0, StubFinder())
import pytest

records = []
def recorder(argnames, argvalues, *a, **k):
    names = [n.strip() for n in argnames.split(',')] if isinstance(argnames, str) else list(argnames)
    records.append((names, list(argvalues)))
    return lambda f: f
pytest.mark.parametrize = recorder

files = subprocess.run(['git', '-C', GIT, 'ls-tree', '--name-only', 'HEAD', 'tests/plugins/'],
                       capture_output=True, text=True).stdout.split()
out = []
for f in files:
    if not f.endswith('_test.py'):
        continue
    plugin = f.split('/')[-1][:-len('_test.py')]
    src = subprocess.run(['git', '-C', GIT, 'show', 'HEAD:' + f], capture_output=True, text=True).stdout
    records.clear()
    mod = types.ModuleType(plugin)
    try:
        exec(compile(src, f, 'exec'), mod.__dict__)
    except Exception as e:
        print('skip', f, repr(e), file=sys.stderr)
        continue
    for names, rows in records:
        for row in rows:
            if not isinstance(row, (tuple, list)):
                row = [row]
            row = list(row)
            d = dict(zip(names, row))
            text = None
            for key in ('line', 'payload', 'token', 'secret', 'string', 'content', 'file_content'):
                if isinstance(d.get(key), str):
                    text = d[key]
                    break
            label = None
            for key in ('should_flag', 'should_be_caught', 'expected', 'is_secret'):
                if key in d and isinstance(d[key], bool):
                    label = d[key]
            if 'expected_secret' in d:
                label = d['expected_secret'] is not None
            if label is None and len(names) == 1 and names[0] in ('line', 'file_content', 'payload') and plugin in ('slack', 'private_key'):
                text = row[0] if isinstance(row, list) else row
                label = True
            if label is None and len(names) == 2 and isinstance(row[0], str):
                # keyword tests: (line, expected secret or None)
                if row[1] is None:
                    label = False
                elif isinstance(row[1], str):
                    label = True
                text = row[0]
            if text is None or label is None:
                continue
            item = {'source': 'detect-secrets', 'group': plugin, 'text': text, 'secret': label}
            if isinstance(d.get('file_extension'), str):
                item['path'] = 'src/file.' + d['file_extension']
            out.append(item)
json.dump(out, sys.stdout, indent=0)
