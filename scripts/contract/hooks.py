"""schemathesis hooks of the contract check (loaded through SCHEMATHESIS_HOOKS).

The claims import is `application/x-ndjson`, declared as a binary body; schemathesis has no
serializer for that media type, so its bytes go out as they are, as for
`application/octet-stream`.
"""

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "application/octet-stream")
