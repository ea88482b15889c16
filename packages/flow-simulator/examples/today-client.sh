# A client written for today's API, the way useapi's own batch scripts (2026) are: pick a
# healthy account from GET /accounts, upload the start frame with POST /assets/{email}, generate
# synchronously, read media[].videoUrl and download it. Needs USEAPI_BASE_URL, USEAPI_TOKEN and
# IMAGE (a JPEG file); writes clip_1.mp4.
set -euo pipefail
auth="Authorization: Bearer ${USEAPI_TOKEN}"

email=$(curl -sf -H "$auth" "${USEAPI_BASE_URL}/accounts" | jq -r 'to_entries | map(select(.value.health == "OK")) | .[0].key')
[ "$email" != "null" ] || { echo "no healthy account" >&2; exit 1; }

asset=$(curl -sf -X POST -H "$auth" -H "Content-Type: image/jpeg" --data-binary "@${IMAGE}" "${USEAPI_BASE_URL}/assets/${email}")
start=$(echo "$asset" | jq -r '.mediaGenerationId.mediaGenerationId')

body=$(jq -n --arg e "$email" --arg s "$start" '{prompt: "a lighthouse at dusk", model: "veo-3.1-lite", duration: 6, aspectRatio: "landscape", email: $e, startImage: $s}')
curl -sf -X POST -H "$auth" -H "Content-Type: application/json" -d "$body" "${USEAPI_BASE_URL}/videos" > result.json

url=$(jq -r '.media[0].videoUrl' result.json)
echo "mediaGenerationId: $(jq -r '.media[0].mediaGenerationId' result.json)"
curl -sf "$url" --output clip_1.mp4
