// Winograd F(2x2, 3x3) convolution for tfjs-backend-wasm's heap: NHWC, float32, wasm SIMD128.
//
// A 3x3 stride-1 convolution with one pixel of zero padding computes each 2x2 block of output
// pixels ("tile") from a 4x4 block of input pixels with 16 multiplications per input/output channel
// pair instead of 36 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016):
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
// The filter's transform U = G g G^T is computed once per filter (wino_transform_filter); each call
// transforms a block of input tiles (B^T d B, adds and subtractions only), multiplies the 16
// transformed planes by U as 16 matrix products (tiles x C by C x Co), and transforms the products
// back (A^T m A), adding the bias and applying ReLU or ReLU6 before the store.
//
// The module imports the memory of tfjs-backend-wasm's Emscripten module and works on its tensors
// in place. It must therefore own no memory at all: no data segments and no shadow stack (every
// array below is unrolled into locals by the optimizer; scripts/build-native.mjs checks the binary
// reads no global, i.e. never touches __stack_pointer).
//
// Built with Debian's clang 14: see scripts/build-native.mjs (npm run build:native).
#include <wasm_simd128.h>
typedef v128_t V;
#define LD(p) wasm_v128_load(p)
#define ST(p, x) wasm_v128_store(p, x)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

// filter g: [3][3][C][Co] (HWIO, TF.js's layout) -> U: [16][Co/8][C][8], each plane packed in
// blocks of 8 output channels, the layout the products below read contiguously.
__attribute__((export_name("wino_transform_filter")))
void wino_transform_filter(const float *g, float *u, int C, int Co) {
  for (int c = 0; c < C; c++)
    for (int o = 0; o < Co; o++) {
      float w[3][3];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) w[i][j] = g[((i * 3 + j) * C + c) * Co + o];
      float t[4][3];
      for (int j = 0; j < 3; j++) {
        t[0][j] = w[0][j];
        t[1][j] = 0.5f * (w[0][j] + w[1][j] + w[2][j]);
        t[2][j] = 0.5f * (w[0][j] - w[1][j] + w[2][j]);
        t[3][j] = w[2][j];
      }
      for (int i = 0; i < 4; i++) {
        float r[4];
        r[0] = t[i][0];
        r[1] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        r[2] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        r[3] = t[i][2];
        for (int j = 0; j < 4; j++) {
          int k = i * 4 + j;
          u[(((long)k * (Co / 8) + o / 8) * C + c) * 8 + (o & 7)] = r[j];
        }
      }
    }
}

// y = act(conv3x3(x, g, stride 1, pad 1) + bias) for x: [N][H][W][C], y: [N][H][W][Co], U from
// wino_transform_filter. Computes the output tiles [t0, t1) (tiles numbered over N, then rows of
// ceil(H/2), then columns of ceil(W/2)) and the output channels [o0, o1) (multiples of 8), so that
// threads can share a call. C is a multiple of 4 and Co of 8. bias: Co floats or 0 (none).
// act: 0 none, 1 ReLU, 2 ReLU6. TB: tiles per block, a multiple of 4. scratch: at least
// 16*(TB*C + 16) + 16*(TB*(o1-o0) + 16) floats. The 16 transformed planes of a block are 16 floats
// more apart than their size: at power-of-two distances (TB*C is one for most networks) the 16
// streams of the transforms would all fall into the same cache sets and evict each other.
static void wino_conv(const float *x, const float *u, const float *bias, float *y, float *scratch,
               int H, int W, int C, int Co, int t0, int t1, int o0, int o1, int TB, int act) {
  const int th = (H + 1) / 2, tw = (W + 1) / 2, tpi = th * tw;
  const int CoR = o1 - o0;
  const long vs = (long)TB * C + 16, ms = (long)TB * CoR + 16; // plane strides, see above
  float *vb = scratch;
  float *mb = scratch + 16 * vs;
  const V zero = wasm_f32x4_splat(0.f);
  const V six = wasm_f32x4_splat(6.f);
  for (int tb0 = t0; tb0 < t1; tb0 += TB) {
    int nt = t1 - tb0 < TB ? t1 - tb0 : TB;
    int ntp = (nt + 3) & ~3;
    // input transform
    for (int ti = 0; ti < ntp; ti++) {
      if (ti >= nt) {
        for (int k = 0; k < 16; k++)
          for (int c = 0; c < C; c += 4) ST(vb + k * vs + (long)ti * C + c, zero);
        continue;
      }
      int t = tb0 + ti, n = t / tpi, r = t % tpi, ty = r / tw, tx = r % tw;
      int iy0 = 2 * ty - 1, ix0 = 2 * tx - 1;
      const float *xn = x + (long)n * H * W * C;
      const float *rows[4][4];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
          int iy = iy0 + i, ix = ix0 + j;
          rows[i][j] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? xn + ((long)iy * W + ix) * C : 0;
        }
      for (int c = 0; c < C; c += 4) {
        V d[4][4];
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++) d[i][j] = rows[i][j] ? LD(rows[i][j] + c) : zero;
        V t[4][4];
        for (int j = 0; j < 4; j++) {
          t[0][j] = SUB(d[0][j], d[2][j]);
          t[1][j] = ADD(d[1][j], d[2][j]);
          t[2][j] = SUB(d[2][j], d[1][j]);
          t[3][j] = SUB(d[1][j], d[3][j]);
        }
        float *o = vb + (long)ti * C + c;
        const long ks = vs;
        for (int i = 0; i < 4; i++) {
          ST(o + (i * 4 + 0) * ks, SUB(t[i][0], t[i][2]));
          ST(o + (i * 4 + 1) * ks, ADD(t[i][1], t[i][2]));
          ST(o + (i * 4 + 2) * ks, SUB(t[i][2], t[i][1]));
          ST(o + (i * 4 + 3) * ks, SUB(t[i][1], t[i][3]));
        }
      }
    }
    // 16 products: mb[k][ti][o - o0] = sum_c vb[k][ti][c] * U[k][c][o]
    for (int k = 0; k < 16; k++) {
      const float *a = vb + k * vs;
      float *m = mb + k * ms;
      for (int ob = o0; ob < o1; ob += 8) {
        const float *b = u + ((long)k * (Co / 8) + ob / 8) * C * 8;
        for (int ti = 0; ti < ntp; ti += 4) {
          const float *a0 = a + (long)ti * C, *a1 = a0 + C, *a2 = a1 + C, *a3 = a2 + C;
          V c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
          for (int c = 0; c < C; c++) {
            V b0 = LD(b + c * 8), b1 = LD(b + c * 8 + 4);
            V x0 = wasm_v128_load32_splat(a0 + c);
            V x1 = wasm_v128_load32_splat(a1 + c);
            V x2 = wasm_v128_load32_splat(a2 + c);
            V x3 = wasm_v128_load32_splat(a3 + c);
            c00 = ADD(c00, MUL(x0, b0)); c01 = ADD(c01, MUL(x0, b1));
            c10 = ADD(c10, MUL(x1, b0)); c11 = ADD(c11, MUL(x1, b1));
            c20 = ADD(c20, MUL(x2, b0)); c21 = ADD(c21, MUL(x2, b1));
            c30 = ADD(c30, MUL(x3, b0)); c31 = ADD(c31, MUL(x3, b1));
          }
          float *mo = m + (long)ti * CoR + (ob - o0);
          ST(mo, c00); ST(mo + 4, c01);
          ST(mo + CoR, c10); ST(mo + CoR + 4, c11);
          ST(mo + 2 * CoR, c20); ST(mo + 2 * CoR + 4, c21);
          ST(mo + 3 * CoR, c30); ST(mo + 3 * CoR + 4, c31);
        }
      }
    }
    // output transform
    for (int ti = 0; ti < nt; ti++) {
      int t = tb0 + ti, n = t / tpi, r = t % tpi, ty = r / tw, tx = r % tw;
      int oy = 2 * ty, ox = 2 * tx;
      float *yn = y + (long)n * H * W * Co;
      int hasy1 = oy + 1 < H, hasx1 = ox + 1 < W;
      const long ks = ms;
      for (int o = o0; o < o1; o += 4) {
        const float *mm = mb + (long)ti * CoR + (o - o0);
        V m[16];
        for (int k = 0; k < 16; k++) m[k] = LD(mm + k * ks);
        V s[2][4];
        for (int j = 0; j < 4; j++) {
          s[0][j] = ADD(ADD(m[j], m[4 + j]), m[8 + j]);
          s[1][j] = SUB(SUB(m[4 + j], m[8 + j]), m[12 + j]);
        }
        V bv = bias ? LD(bias + o) : zero;
        for (int i = 0; i < 2; i++) {
          V y0 = ADD(ADD(ADD(s[i][0], s[i][1]), s[i][2]), bv);
          V y1 = ADD(SUB(SUB(s[i][1], s[i][2]), s[i][3]), bv);
          if (act == 1) { y0 = wasm_f32x4_max(y0, zero); y1 = wasm_f32x4_max(y1, zero); }
          else if (act == 2) {
            y0 = wasm_f32x4_min(wasm_f32x4_max(y0, zero), six);
            y1 = wasm_f32x4_min(wasm_f32x4_max(y1, zero), six);
          }
          if (i == 1 && !hasy1) break;
          float *yr = yn + ((long)(oy + i) * W + ox) * Co + o;
          ST(yr, y0);
          if (hasx1) ST(yr + Co, y1);
        }
      }
    }
  }
}


// wino_conv shared between threads by taking chunks of work from a counter: each thread calling
// this takes the next chunk index from *next (atomically; the caller sets it to 0 first) until none
// is left, so a thread that starts late, or is descheduled, leaves its chunks to the others instead
// of holding every thread up. by_tiles: a chunk is `chunk` output tiles (of T) with every output
// channel, else every tile with `chunk` output channels (a multiple of 8). Each thread passes its
// own scratch, sized for TB tiles and all Co channels.
__attribute__((export_name("wino_conv_chunks")))
void wino_conv_chunks(const float *x, const float *u, const float *bias, float *y, float *scratch,
                      int H, int W, int C, int Co, int T, int TB, int act, int *next, int by_tiles,
                      int chunk) {
  const int total = by_tiles ? (T + chunk - 1) / chunk : (Co + chunk - 1) / chunk;
  for (;;) {
    int k = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
    if (k >= total) break;
    int a = k * chunk, b = a + chunk;
    if (by_tiles) wino_conv(x, u, bias, y, scratch, H, W, C, Co, a, b < T ? b : T, 0, Co, TB, act);
    else wino_conv(x, u, bias, y, scratch, H, W, C, Co, 0, T, a, b < Co ? b : Co, TB, act);
  }
}
