import { BitWriter } from './bit-writer';

/**
 * A tiny but decodable H.264 stream (Constrained Baseline): one IDR picture whose macroblocks
 * are I_PCM (raw samples, so no transform or entropy coder is needed to write it by hand),
 * then P pictures in which every macroblock is skipped (the picture repeats).
 */

export interface StreamShape {
  width: number;
  height: number;
}

const PROFILE_BASELINE = 66;
const CONSTRAINT_FLAGS = 0xc0; // constraint_set0 + constraint_set1: Constrained Baseline
const LEVEL_3_0 = 30;
const LOG2_MAX_FRAME_NUM = 4;

/** NAL unit from its RBSP, with emulation-prevention bytes so no start code appears inside. */
function nal(header: number, rbsp: Buffer): Buffer {
  const out: number[] = [header];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

const mbsOf = (pixels: number) => Math.ceil(pixels / 16);

export function sequenceParameterSet({ width, height }: StreamShape): Buffer {
  const w = new BitWriter();
  w.bits(PROFILE_BASELINE, 8).bits(CONSTRAINT_FLAGS, 8).bits(LEVEL_3_0, 8);
  w.ue(0); // seq_parameter_set_id
  w.ue(LOG2_MAX_FRAME_NUM - 4);
  w.ue(2); // pic_order_cnt_type 2: output order is decoding order
  w.ue(1); // max_num_ref_frames
  w.bit(0); // gaps_in_frame_num_value_allowed_flag
  w.ue(mbsOf(width) - 1);
  w.ue(mbsOf(height) - 1);
  w.bit(1); // frame_mbs_only_flag
  w.bit(1); // direct_8x8_inference_flag
  const cropRight = (mbsOf(width) * 16 - width) / 2; // 4:2:0 crops in units of 2 samples
  const cropBottom = (mbsOf(height) * 16 - height) / 2;
  if (cropRight > 0 || cropBottom > 0) {
    w.bit(1).ue(0).ue(cropRight).ue(0).ue(cropBottom);
  } else {
    w.bit(0);
  }
  w.bit(0); // vui_parameters_present_flag
  return nal(0x67, w.trailingBits().toBuffer());
}

export function pictureParameterSet(): Buffer {
  const w = new BitWriter();
  w.ue(0).ue(0); // pic_parameter_set_id, seq_parameter_set_id
  w.bit(0); // entropy_coding_mode_flag: CAVLC
  w.bit(0); // bottom_field_pic_order_in_frame_present_flag
  w.ue(0); // num_slice_groups_minus1
  w.ue(0).ue(0); // num_ref_idx_l0/l1_default_active_minus1
  w.bit(0).bits(0, 2); // weighted_pred_flag, weighted_bipred_idc
  w.se(0).se(0).se(0); // pic_init_qp_minus26, pic_init_qs_minus26, chroma_qp_index_offset
  w.bit(0); // deblocking_filter_control_present_flag
  w.bit(0); // constrained_intra_pred_flag
  w.bit(0); // redundant_pic_cnt_present_flag
  return nal(0x68, w.trailingBits().toBuffer());
}

/** The Y, Cb, Cr samples of the picture at (x, y). */
export type Painter = (x: number, y: number) => [number, number, number];

export function idrSlice(shape: StreamShape, paint: Painter): Buffer {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(7); // slice_type: I, all slices of the picture
  w.ue(0); // pic_parameter_set_id
  w.bits(0, LOG2_MAX_FRAME_NUM); // frame_num
  w.ue(0); // idr_pic_id
  w.bit(0).bit(0); // no_output_of_prior_pics_flag, long_term_reference_flag
  w.se(0); // slice_qp_delta
  const clamp = (v: number) => Math.max(1, Math.min(255, Math.round(v)));
  for (let my = 0; my < mbsOf(shape.height); my++) {
    for (let mx = 0; mx < mbsOf(shape.width); mx++) {
      w.ue(25); // mb_type I_PCM
      w.alignWithZeros(); // pcm_alignment_zero_bit
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) w.byte(clamp(paint(mx * 16 + x, my * 16 + y)[0]));
      for (const plane of [1, 2] as const) {
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) w.byte(clamp(paint(mx * 16 + x * 2, my * 16 + y * 2)[plane]));
      }
    }
  }
  return nal(0x65, w.trailingBits().toBuffer());
}

/** A P picture that repeats the previous one: one skip run over every macroblock. */
export function skipSlice(shape: StreamShape, frameNum: number): Buffer {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(5); // slice_type: P, all slices of the picture
  w.ue(0); // pic_parameter_set_id
  w.bits(frameNum % 2 ** LOG2_MAX_FRAME_NUM, LOG2_MAX_FRAME_NUM);
  w.bit(0); // num_ref_idx_active_override_flag
  w.bit(0); // ref_pic_list_modification_flag_l0
  w.bit(0); // adaptive_ref_pic_marking_mode_flag
  w.se(0); // slice_qp_delta
  w.ue(mbsOf(shape.width) * mbsOf(shape.height)); // mb_skip_run
  return nal(0x41, w.trailingBits().toBuffer());
}
