"""The standing adversarial suite (issue 11): equivocation, revocation, forged and late
events against the consistency model of docs/formats/event-v1.md section 14."""
