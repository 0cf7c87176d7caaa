"""Using a layer takes lambda:GetLayerVersion on its version ("Layer permissions" in the Lambda
Developer Guide): a user allowed to create functions but not to read the layer cannot add it, in
its own account as in another's."""

from __future__ import annotations

from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import error_of, lambda_client_allowed, unique, zipped

CODE = {"app.py": "def handler(event, context):\n    return 1\n"}


def test_adding_a_layer_of_ones_own_account_needs_get_layer_version(
    server: ServerProcess, lam: Any, role: str
) -> None:
    layer = lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": zipped({"a.txt": "a"})})
    arn = layer["LayerVersionArn"]
    creating = ["lambda:CreateFunction", "iam:PassRole"]
    without = lambda_client_allowed(server, creating)
    name = unique("fn")
    kwargs = dict(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                  Code={"ZipFile": zipped(CODE)}, Layers=[arn])
    code, status, message, _ = error_of(without.create_function, **kwargs)
    assert (code, status) == ("AccessDeniedException", 403)
    assert f"lambda:GetLayerVersion on resource: {arn}" in message
    with_it = lambda_client_allowed(server, [*creating, "lambda:GetLayerVersion"])
    created = with_it.create_function(**kwargs)
    assert [used["Arn"] for used in created["Layers"]] == [arn]
    lam.delete_function(FunctionName=name)
