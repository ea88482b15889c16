# The Python example of useapi's videos page (November 2025), unchanged.
import requests

token = 'YOUR_API_TOKEN'
api_url = 'https://api.useapi.net/v1/google-flow/videos'

headers = {
    'Authorization': f'Bearer {token}',
    'Content-Type': 'application/json'
}

data = {
    'prompt': 'A serene mountain landscape at sunset with camera slowly panning right',
    'model': 'veo-3.1-fast',
    'aspectRatio': 'landscape',
    'count': 2,
    'seed': 123456
}

response = requests.post(api_url, headers=headers, json=data)
result = response.json()

print(f"Generated {len(result['operations'])} videos")

# Download videos
for index, op in enumerate(result['operations']):
    video = op['operation']['metadata']['video']
    print(f"Video {index + 1} seed:", video['seed'])
    print(f"mediaGenerationId:", video['mediaGenerationId'])

    # Download video
    video_response = requests.get(video['fifeUrl'])
    with open(f'generated_video_{index + 1}.mp4', 'wb') as f:
        f.write(video_response.content)

    # Download thumbnail
    thumb_response = requests.get(video['servingBaseUri'])
    with open(f'generated_video_{index + 1}_thumb.jpg', 'wb') as f:
        f.write(thumb_response.content)
