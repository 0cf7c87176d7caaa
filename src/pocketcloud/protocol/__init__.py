"""The wire: model-driven request parsers and response serializers for AWS's protocols.

Everything here is driven by botocore's service models; no module in this
package knows a particular operation. Per-service quirks of a protocol live
here as named subclasses, never in providers.
"""
