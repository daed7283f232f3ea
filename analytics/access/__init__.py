"""Access: who may see what.

``identity`` (roles, name and password rules, AuthError), ``users`` (passwords, user
changes, sign-in with lockout and throttling), ``sessions`` (sign-in grants, session
tokens, revocation), ``audit`` (the append-only, hash-chained audit log and the
imports and undos written with it), ``times`` (how they store times), ``privacy``
(the rule a viewer's data goes through) and ``masking`` (personal data on import).
"""
