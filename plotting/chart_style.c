/* kiln — the one look of every chart (see chart_impl.h).
 *
 * Modelled on seaborn's "whitegrid": white background, light grid lines
 * under the data, no top or right frame, dark grey text rather than black,
 * and a colour-blind-safe palette.
 */
#include "plotting/chart_impl.h"

/* Okabe & Ito, "Color Universal Design" (2008): eight colours that stay
 * distinct under the common colour-vision deficiencies.  Their yellow
 * (#F0E442) is dropped: it vanishes on white.  Black is last, so that the
 * first series are coloured. */
static const kiln_chart_rgb palette[] = {
    {0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0}, /* blue */
    {0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0}, /* orange */
    {0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0}, /* bluish green */
    {0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0}, /* vermillion */
    {0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0}, /* reddish purple */
    {0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0}, /* sky blue */
    {0x00 / 255.0, 0x00 / 255.0, 0x00 / 255.0}, /* black */
};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

/* Heatmaps: ColorBrewer's sequential "Blues" (Brewer, Harrower & Hatchard,
 * colorbrewer2.org), 9 classes without the first, #F7FBFF, which vanishes
 * on white.  One hue from light to dark: its order reads the same under
 * every colour-vision deficiency, and in grey. */
static const kiln_chart_rgb ramp[] = {
    {0xDE / 255.0, 0xEB / 255.0, 0xF7 / 255.0},
    {0xC6 / 255.0, 0xDB / 255.0, 0xEF / 255.0},
    {0x9E / 255.0, 0xCA / 255.0, 0xE1 / 255.0},
    {0x6B / 255.0, 0xAE / 255.0, 0xD6 / 255.0},
    {0x42 / 255.0, 0x92 / 255.0, 0xC6 / 255.0},
    {0x21 / 255.0, 0x71 / 255.0, 0xB5 / 255.0},
    {0x08 / 255.0, 0x51 / 255.0, 0x9C / 255.0},
    {0x08 / 255.0, 0x30 / 255.0, 0x6B / 255.0},
};
#define RAMP_SIZE (sizeof ramp / sizeof ramp[0])

static const kiln_chart_style style = {
    .font = "DejaVu Sans",
    .title_size = 14.5,
    .label_size = 12.5,
    .tick_size = 11,
    .legend_size = 11,
    .note_size = 12.5,
    .background = {1, 1, 1},
    .title = {0.13, 0.13, 0.13},
    .label = {0.20, 0.20, 0.20},
    .tick_label = {0.33, 0.33, 0.33},
    .grid = {0.90, 0.90, 0.90},
    .spine = {0.55, 0.55, 0.55},
    .note = {0.55, 0.55, 0.55},
    .legend_frame = {0.82, 0.82, 0.82},
    .legend_alpha = 0.9,
    .pad = 10,
    .title_gap = 10,
    .label_gap = 7,
    .tick_len = 4,
    .tick_gap = 3,
    .grid_width = 1,
    .spine_width = 1,
    .line_width = 1.75,
    .marker_radius = 3.25,
    .scatter_radius = 3,
    .dense_radius = 1.5,
    .max_markers = 30,
    .dense_points = 2000,
    .min_x_tick_space = 18,
    .min_y_tick_space = 38,
    .legend_inset = 8,
    .legend_pad = 7,
    .legend_swatch = 22,
    .legend_max_name = 180,
    .bar_row = 18,
    .bar_fill = 0.72,
    .bar_max = 36,
    .bar_gap = 4,
    .bar_label_max = 0.35,
    .heat_cell = 320,
    .heat_cell_min = 12,
    .heat_cell_max = 110,
    .heat_auto_max = 2400,
    .heat_label_max = 150,
    .heat_aspect = 1.2,
    .heat_value_min = 9,
    .heat_scale_gap = 14,
    .heat_scale_w = 12,
    /* Neutral, and lighter than the ramp's dark end: missing, not high. */
    .heat_missing = {0.72, 0.72, 0.72},
};

const kiln_chart_style *kiln__chart_style(void)
{
    return &style;
}

kiln_chart_rgb kiln__chart_ramp(double t)
{
    /* Linear between stops, in sRGB as cairo's gradients interpolate: a
     * cell has the colour of the scale at its value. */
    if (!(t > 0))
        return ramp[0];
    if (t >= 1)
        return ramp[RAMP_SIZE - 1];
    double at = t * (RAMP_SIZE - 1);
    size_t i = (size_t)at;
    double f = at - (double)i;
    kiln_chart_rgb a = ramp[i], b = ramp[i + 1];
    return (kiln_chart_rgb){a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f,
                            a.b + (b.b - a.b) * f};
}

const kiln_chart_rgb *kiln__chart_ramp_stops(size_t *n)
{
    *n = RAMP_SIZE;
    return ramp;
}

kiln_chart_rgb kiln__chart_colour(size_t i)
{
    return palette[i % PALETTE_SIZE];
}

const double *kiln__chart_dash(size_t i, int *n)
{
    /* Long dashes, dots, dash-dot: distinguishable at line width 1.75. */
    static const double dash0[] = {6, 3};
    static const double dash1[] = {1.5, 2.5};
    static const double dash2[] = {7, 2.5, 1.5, 2.5};
    switch ((i / PALETTE_SIZE) % 4) {
    case 0:
        *n = 0;
        return NULL;
    case 1:
        *n = 2;
        return dash0;
    case 2:
        *n = 2;
        return dash1;
    default:
        *n = 4;
        return dash2;
    }
}

kiln_chart_shape kiln__chart_shape(size_t i)
{
    static const kiln_chart_shape shapes[] = {
        KILN__SHAPE_CIRCLE, KILN__SHAPE_SQUARE, KILN__SHAPE_TRIANGLE,
        KILN__SHAPE_DIAMOND};
    return shapes[(i / PALETTE_SIZE) % 4];
}
