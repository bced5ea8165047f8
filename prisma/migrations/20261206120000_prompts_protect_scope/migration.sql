-- The new scope prompts:protect (move, protect and unprotect protected prompt
-- labels) replaces a hand-written rule under which an API key holding
-- members:write could do that. Keys that had the right keep it.
UPDATE "api_keys"
SET "scopes" = array_append("scopes", 'prompts:protect')
WHERE 'members:write' = ANY("scopes") AND NOT ('prompts:protect' = ANY("scopes"));
