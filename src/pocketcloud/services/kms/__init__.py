"""AWS Key Management Service: keys, aliases, key policies and the cryptography made with them."""
