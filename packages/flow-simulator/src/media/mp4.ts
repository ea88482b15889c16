import { idrSlice, pictureParameterSet, sequenceParameterSet, skipSlice, type StreamShape } from './h264';

/**
 * A small, real MP4 (ISO-BMFF `ftyp`, `moov`, `mdat`, in faststart order) holding an 8-second,
 * 8 fps, 64x36 H.264 video: enough for players, ffprobe and duration checks, a few KB in size.
 * `mp4OfSize` grows it to a realistic size with H.264 filler-data NAL units spread over the
 * frames: the bytes belong to the video track, and decoders skip them.
 */

const SHAPE: StreamShape = { width: 64, height: 36 };
const FPS = 8;
const SECONDS = 8;
const TIMESCALE = 12_288;
const MOVIE_TIMESCALE = 1000;

const u8 = (v: number) => Buffer.from([v & 0xff]);
function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff);
  return b;
}
function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
const zeros = (n: number) => Buffer.alloc(n);
const ascii = (s: string) => Buffer.from(s, 'latin1');

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(body.length + 8), ascii(type), body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  return box(type, u8(version), u8(flags >> 16), u16(flags), ...payload);
}

const UNITY_MATRIX = Buffer.concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));

/** Diagonal gradient from deep blue to warm orange, in YCbCr. */
function paint(x: number, y: number): [number, number, number] {
  const t = (x / SHAPE.width + y / SHAPE.height) / 2;
  const [r, g, b] = [30 + 200 * t, 60 + 80 * t, 140 - 100 * t];
  return [0.257 * r + 0.504 * g + 0.098 * b + 16, -0.148 * r - 0.291 * g + 0.439 * b + 128, 0.439 * r - 0.368 * g - 0.071 * b + 128];
}

/** NAL unit type 12 (filler data): 0xFF bytes closed by the RBSP stop bit. `size` counts the header too. */
function fillerNal(size: number): Buffer {
  const nal = Buffer.alloc(size, 0xff);
  nal[0] = 0x0c;
  nal[size - 1] = 0x80;
  return nal;
}

function buildMp4(paddingBytes = 0): Buffer {
  const sps = sequenceParameterSet(SHAPE);
  const pps = pictureParameterSet();
  const frameCount = FPS * SECONDS;
  const samples: Buffer[] = [idrSlice(SHAPE, paint)];
  for (let i = 1; i < frameCount; i++) samples.push(skipSlice(SHAPE, i));
  // Each frame may carry one filler NAL (4-byte length + at least 2 bytes).
  const perFrame = Math.floor(paddingBytes / frameCount);
  const sampleData = samples.map((nal, i) => {
    const filler = perFrame + (i === 0 ? paddingBytes - perFrame * frameCount : 0);
    const parts = [u32(nal.length), nal];
    if (filler >= 6) parts.push(u32(filler - 4), fillerNal(filler - 4));
    return Buffer.concat(parts);
  });
  const mdatPayload = Buffer.concat(sampleData);

  const delta = TIMESCALE / FPS;
  const mediaDuration = frameCount * delta;
  const movieDuration = SECONDS * MOVIE_TIMESCALE;

  const avcC = box(
    'avcC',
    u8(1), // configurationVersion
    sps.subarray(1, 4), // profile, compatibility, level, as in the SPS
    u8(0xff), // lengthSizeMinusOne = 3
    u8(0xe1), // one SPS
    u16(sps.length),
    sps,
    u8(1), // one PPS
    u16(pps.length),
    pps,
  );
  const compressorName = Buffer.concat([u8(9), ascii('flowq-sim'), zeros(22)]);
  const avc1 = box(
    'avc1',
    zeros(6),
    u16(1), // data_reference_index
    zeros(16),
    u16(SHAPE.width),
    u16(SHAPE.height),
    u32(0x00480000),
    u32(0x00480000),
    zeros(4),
    u16(1), // frame_count
    compressorName,
    u16(0x0018),
    u16(0xffff),
    avcC,
  );

  const moovFor = (chunkOffset: number) =>
    box(
      'moov',
      fullBox('mvhd', 0, 0, u32(0), u32(0), u32(MOVIE_TIMESCALE), u32(movieDuration), u32(0x00010000), u16(0x0100), zeros(10), UNITY_MATRIX, zeros(24), u32(2)),
      box(
        'trak',
        fullBox(
          'tkhd',
          0,
          0x000003,
          u32(0),
          u32(0),
          u32(1),
          zeros(4),
          u32(movieDuration),
          zeros(8),
          u16(0),
          u16(0),
          u16(0),
          zeros(2),
          UNITY_MATRIX,
          u32(SHAPE.width * 0x10000),
          u32(SHAPE.height * 0x10000),
        ),
        box(
          'mdia',
          fullBox('mdhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(mediaDuration), u16(0x55c4), u16(0)),
          fullBox('hdlr', 0, 0, u32(0), ascii('vide'), zeros(12), ascii('VideoHandler\0')),
          box(
            'minf',
            fullBox('vmhd', 0, 1, zeros(8)),
            box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
            box(
              'stbl',
              fullBox('stsd', 0, 0, u32(1), avc1),
              fullBox('stts', 0, 0, u32(1), u32(frameCount), u32(delta)),
              fullBox('stss', 0, 0, u32(1), u32(1)),
              fullBox('stsc', 0, 0, u32(1), u32(1), u32(frameCount), u32(1)),
              fullBox('stsz', 0, 0, u32(0), u32(frameCount), ...sampleData.map((s) => u32(s.length))),
              fullBox('stco', 0, 0, u32(1), u32(chunkOffset)),
            ),
          ),
        ),
      ),
    );

  const ftyp = box('ftyp', ascii('isom'), u32(0x200), ascii('isom'), ascii('iso2'), ascii('avc1'), ascii('mp41'));
  // The chunk offset is a fixed-width field, so the moov size does not depend on its value.
  const moovSize = moovFor(0).length;
  const moov = moovFor(ftyp.length + moovSize + 8);
  return Buffer.concat([ftyp, moov, box('mdat', mdatPayload)]);
}

export const SAMPLE_MP4: Buffer = buildMp4();

const sized = new Map<number, Buffer>();

/**
 * The sample clip grown to `bytes` (at least its natural size; a few bytes more when the padding
 * cannot be split evenly into filler units), built once per size.
 */
export function mp4OfSize(bytes: number): Buffer {
  if (bytes <= SAMPLE_MP4.length) return SAMPLE_MP4;
  let clip = sized.get(bytes);
  if (!clip) {
    clip = buildMp4(Math.max(bytes - SAMPLE_MP4.length, 6 * FPS * SECONDS));
    sized.set(bytes, clip);
  }
  return clip;
}
