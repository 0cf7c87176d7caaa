"""IAM: the policy language and its evaluation engine, and the authorizer of the request chain."""
