"""Access: who may see what. Users, sign-in and sessions, the audit log, the privacy
rule a viewer's data goes through, and masking of personal data on import."""
