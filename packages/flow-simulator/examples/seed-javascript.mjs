// The JavaScript example of useapi's videos page (November 2025), fixed: the page calls
// `require('fs')` inside code that needs top-level await (an ES module, where `require` does
// not exist); here `fs` is imported instead. Nothing else changed.
import fs from 'node:fs';

const token = 'YOUR_API_TOKEN';
const apiUrl = 'https://api.useapi.net/v1/google-flow/videos';

const response = await fetch(apiUrl, {
  method: 'POST',
  headers: {
    'Authorization': `Bearer ${token}`,
    'Content-Type': 'application/json'
  },
  body: JSON.stringify({
    prompt: 'A serene mountain landscape at sunset with camera slowly panning right',
    model: 'veo-3.1-fast',
    aspectRatio: 'landscape',
    count: 2,
    seed: 123456
  })
});

const result = await response.json();
console.log('Generated videos:', result.operations.length);

// Download videos
for (const [index, op] of result.operations.entries()) {
  const video = op.operation.metadata.video;
  console.log(`Video ${index + 1} seed:`, video.seed);
  console.log(`mediaGenerationId:`, video.mediaGenerationId);
  console.log(`Video URL:`, video.fifeUrl);

  // Download video (Node.js)
  const videoResponse = await fetch(video.fifeUrl);
  const videoBuffer = await videoResponse.arrayBuffer();
  fs.writeFileSync(`generated_video_${index + 1}.mp4`, Buffer.from(videoBuffer));

  // Download thumbnail (Node.js)
  const thumbResponse = await fetch(video.servingBaseUri);
  const thumbBuffer = await thumbResponse.arrayBuffer();
  fs.writeFileSync(`generated_video_${index + 1}_thumb.jpg`, Buffer.from(thumbBuffer));
}
