"""AWS Organizations: the accounts of this pocketcloud, each with its own root key."""
