"""Layers are found where AWS's runtimes find them in /opt: python/ and python/lib/pythonX.Y/site-packages
for Python, nodejs/node_modules and nodejs/nodeNN/node_modules for Node.js, bin/ on PATH and lib/ on
LD_LIBRARY_PATH; layers apply in order (a later layer replaces an earlier one's files) and the
function's own code comes first.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.services.awslambda.support import Functions, invoke, unique, zipped


def _layer(lam: Any, files: dict[str, str], executable: tuple[str, ...] = ()) -> str:
    published = lam.publish_layer_version(
        LayerName=unique("layer"), Content={"ZipFile": zipped(files, executable)}
    )
    arn: str = published["LayerVersionArn"]
    return arn


PYTHON_APP = """
import os, subprocess
import shared, mine, pkg.first, pkg.second

def handler(event, context):
    return {
        "shared": shared.WHO,
        "mine": mine.WHO,
        "package": [pkg.first.WHO, pkg.second.WHO],
        "tool": subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip(),
        "path_ends_with_bin": os.environ["PATH"].split(":")[-1].endswith("/bin"),
        "library_path_ends_with_lib": os.environ["LD_LIBRARY_PATH"].split(":")[-1].endswith("/lib"),
        "task_root_first": os.environ["PYTHONPATH"].split(":")[0] == os.environ["LAMBDA_TASK_ROOT"],
    }
"""


def test_python_layers_overlay_in_order_under_the_functions_own_code(functions: Functions, lam: Any) -> None:
    site = "python/lib/python3.12/site-packages"
    first = _layer(
        lam,
        {
            "python/shared.py": "WHO = 'first layer'\n",
            "python/mine.py": "WHO = 'a layer'\n",
            f"{site}/pkg/__init__.py": "",
            f"{site}/pkg/first.py": "WHO = 'first'\n",
            "bin/layer-tool": "#!/bin/sh\necho tool from the first layer\n",
        },
        executable=("bin/layer-tool",),
    )
    second = _layer(
        lam,
        {
            "python/shared.py": "WHO = 'second layer'\n",
            f"{site}/pkg/second.py": "WHO = 'second'\n",  # one package, its files from two layers
            "lib/libnothing.txt": "a library directory\n",
        },
    )
    name = functions.create(
        {"app.py": PYTHON_APP, "mine.py": "WHO = 'the function'\n"}, Layers=[first, second]
    )
    assert invoke(lam, name).payload == {
        "shared": "second layer",
        "mine": "the function",
        "package": ["first", "second"],
        "tool": "tool from the first layer",
        "path_ends_with_bin": True,
        "library_path_ends_with_lib": True,
        "task_root_first": True,
    }


NODE_APP = """
const greet = require('greet');
const version = require('versioned');
exports.handler = async () => ({ greeting: greet('layers'), version: version.WHO });
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_node_layers_are_found_in_node_modules_and_the_version_directory(
    functions: Functions, lam: Any
) -> None:
    layer = _layer(
        lam,
        {
            "nodejs/node_modules/greet/index.js": "module.exports = (who) => `hello ${who}`;\n",
            "nodejs/node_modules/versioned/index.js": "exports.WHO = 'any node';\n",
            # nodejs/node20/node_modules comes before nodejs/node_modules on NODE_PATH for nodejs20.x.
            "nodejs/node20/node_modules/versioned/index.js": "exports.WHO = 'node20';\n",
        },
    )
    name = functions.create(
        {"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.handler", Layers=[layer]
    )
    assert invoke(lam, name).payload == {"greeting": "hello layers", "version": "node20"}
