// The layout of plan.c's plans (an int array), shared with the addon's threaded runPlan.

#ifndef BLINDSPOTS_PLAN_H
#define BLINDSPOTS_PLAN_H

// Header: the plan's own byte offset; steps; activation slots; floats per image of a slot, of an
// input image, of an output row and of a padded input (direct convolutions); the largest channel
// count of a batch norm; floats of Winograd scratch (V and M); images per chunk; and the floats of
// workspace one run needs (see runPlan).
enum { PLAN_SELF, PLAN_STEPS, PLAN_SLOTS, PLAN_SLOT, PLAN_IN, PLAN_OUT, PLAN_PAD, PLAN_BN, PLAN_WG, PLAN_CHUNK, PLAN_WORK, PLAN_HEADER };

// Steps. A slot of -1 is the chunk's input images (for an input) or none (for a residual).
//  PLAN_WINOGRAD_BN: relu?(bn(conv3x3 stride 1 of in, through winograd43ConvBn)) + res?) to out.
//  PLAN_DIRECT_BN:   the same through padImages, conv2dValid (any size and stride), then batch
//                    norm (batchNormApply) in place.
//  PLAN_SHORTCUT:    shortcutForward of in to out.
//  PLAN_MEAN:        spatialMean of in to the chunk's output rows.
enum { PLAN_WINOGRAD_BN = 1, PLAN_DIRECT_BN, PLAN_SHORTCUT, PLAN_MEAN };
// Fields of a step (a convolution uses all; a shortcut op, in, out, H, W, C, F (= its output
// channels), Ho, Wo, SH (its stride) and PT (its first channel, lo); a mean op, in, H, W and C).
enum {
  S_OP, S_IN, S_OUT, S_RES, S_RELU, S_H, S_W, S_C, S_F, S_HO, S_WO, S_KH, S_KW, S_SH, S_SW, S_PT, S_PB, S_PL, S_PR,
  // Offsets: the filter (transformed by winograd43Filter for PLAN_WINOGRAD_BN), its packFilter8
  // panels (PLAN_DIRECT_BN), batch norm's gamma, beta, running mean and variance; epsilon's bits.
  S_FILTER, S_PACKED, S_GAMMA, S_BETA, S_MEAN, S_VAR, S_EPS, PLAN_STEP
};

#endif
