"""The call itself, with no screen: scenarios, the customer a rep talks to, and one practice session."""
