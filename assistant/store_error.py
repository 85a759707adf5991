"""The store's one error, apart from `store` so that catching it does not import chromadb: the CLI
catches it around every verb, and most verbs never open the store."""


class StoreError(RuntimeError):
    """The store cannot be reached or used; the message says what to do."""
