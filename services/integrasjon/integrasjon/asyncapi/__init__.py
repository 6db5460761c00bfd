"""The event catalogue (AsyncAPI 3.0) generated from the contract models, as the messages really travel."""
