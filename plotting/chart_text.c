/* kiln — chart text: fonts, measuring, eliding, and the titles around the
 * plot (see chart_impl.h).
 *
 * Layout is measured, not guessed: every margin comes from cairo's text
 * extents of the strings actually drawn, so tick labels, axis titles and
 * the title never overlap each other or the edge, whatever their length.
 * Text wider than its room is cut at a code point and ends in "…".
 */
#include "plotting/chart_impl.h"

#include "core/utf8.h"

#include <math.h>
#include <string.h>

static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026 */

void kiln__chart_set_font(cairo_t *cr, double size, kiln_chart_font kind)
{
    const kiln_chart_style *st = kiln__chart_style();
    cairo_select_font_face(cr, st->font,
                           kind == KILN__FONT_ITALIC ? CAIRO_FONT_SLANT_ITALIC
                                                     : CAIRO_FONT_SLANT_NORMAL,
                           kind == KILN__FONT_BOLD ? CAIRO_FONT_WEIGHT_BOLD
                                                   : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double kiln__chart_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

bool kiln__chart_has_text(const char *s)
{
    return s != NULL && s[0] != '\0';
}

const char *kiln__chart_fit_text(cairo_t *cr, const char *s, double max_w,
                                 kiln_buf *scratch)
{
    if (s == NULL)
        return "";
    size_t len = strlen(s);
    /* No glyph of DejaVu Sans is narrower than a fifth of the font size,
     * so measuring a million-byte title starts from a short prefix. */
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    double min_adv = fe.height > 0 ? fe.height * 0.2 : 1;
    size_t cap = max_w > 0 ? (size_t)(max_w / min_adv) + 2 : 0;
    size_t cut = kiln_utf8_offset(s, len, cap);
    if (cut == len && kiln__chart_text_width(cr, s) <= max_w)
        return s;
    kiln_buf_clear(scratch);
    if (kiln_buf_puts(scratch, ellipsis) != KILN_OK ||
        kiln__chart_text_width(cr, kiln_buf_str(scratch)) > max_w) {
        kiln_buf_clear(scratch);
        return "";
    }
    /* Binary search on the number of code points kept. */
    size_t lo = 0, hi = kiln_utf8_count(s, cut);
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        size_t off = kiln_utf8_offset(s, cut, mid);
        kiln_buf_clear(scratch);
        if (kiln_buf_append(scratch, s, off) != KILN_OK ||
            kiln_buf_puts(scratch, ellipsis) != KILN_OK) {
            kiln_buf_clear(scratch);
            return "";
        }
        if (kiln__chart_text_width(cr, kiln_buf_str(scratch)) <= max_w)
            lo = mid;
        else
            hi = mid - 1;
    }
    size_t off = kiln_utf8_offset(s, cut, lo);
    while (off > 0 && s[off - 1] == ' ')
        off--;
    kiln_buf_clear(scratch);
    if (kiln_buf_append(scratch, s, off) != KILN_OK ||
        kiln_buf_puts(scratch, ellipsis) != KILN_OK) {
        kiln_buf_clear(scratch);
        return "";
    }
    return kiln_buf_str(scratch);
}

void kiln__chart_measure_fonts(cairo_t *cr, kiln_chart_metrics *m)
{
    const kiln_chart_style *st = kiln__chart_style();
    cairo_font_extents_t fe;
    cairo_text_extents_t te;
    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    cairo_font_extents(cr, &fe);
    m->tick_asc = fe.ascent;
    m->tick_h = fe.ascent + fe.descent;
    cairo_text_extents(cr, "0", &te);
    m->digit_h = -te.y_bearing;
    kiln__chart_set_font(cr, st->label_size, KILN__FONT_REGULAR);
    cairo_font_extents(cr, &fe);
    m->label_asc = fe.ascent;
    m->label_h = fe.ascent + fe.descent;
    kiln__chart_set_font(cr, st->title_size, KILN__FONT_BOLD);
    cairo_font_extents(cr, &fe);
    m->title_asc = fe.ascent;
    m->title_h = fe.ascent + fe.descent;
}

static void set_rgb(cairo_t *cr, kiln_chart_rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* Centre text of width tw on `centre`, kept inside [lo, hi]. */
static double centred(double centre, double tw, double lo, double hi)
{
    double x = centre - tw / 2;
    if (x + tw > hi)
        x = hi - tw;
    if (x < lo)
        x = lo;
    return x;
}

void kiln__chart_draw_titles(const kiln_chart *c, cairo_t *cr,
                             const kiln_chart_metrics *m,
                             kiln_chart_rect plot, double w, double h,
                             kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    double x_top = plot.y + plot.h + st->tick_len + st->tick_gap + m->tick_h;
    kiln__chart_draw_titles_at(c, cr, m, plot, x_top, st->pad, w, h,
                               scratch);
}

void kiln__chart_draw_titles_at(const kiln_chart *c, cairo_t *cr,
                                const kiln_chart_metrics *m,
                                kiln_chart_rect plot, double x_top,
                                double y_left, double w, double h,
                                kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_opts *o = &c->opts;
    const kiln_chart_rect *p = &plot;
    double pad = st->pad, room = w - 2 * pad;
    if (kiln__chart_has_text(o->title)) {
        kiln__chart_set_font(cr, st->title_size, KILN__FONT_BOLD);
        set_rgb(cr, st->title);
        const char *t = kiln__chart_fit_text(cr, o->title, room, scratch);
        double tw = kiln__chart_text_width(cr, t);
        cairo_move_to(cr, centred(p->x + p->w / 2, tw, pad, w - pad),
                      pad + m->title_asc);
        cairo_show_text(cr, t);
    }
    kiln__chart_set_font(cr, st->label_size, KILN__FONT_REGULAR);
    set_rgb(cr, st->label);
    if (kiln__chart_has_text(o->x_label)) {
        const char *t = kiln__chart_fit_text(cr, o->x_label, room, scratch);
        double tw = kiln__chart_text_width(cr, t);
        double base = x_top + st->label_gap + m->label_asc;
        cairo_move_to(cr, centred(p->x + p->w / 2, tw, pad, w - pad), base);
        cairo_show_text(cr, t);
    }
    if (kiln__chart_has_text(o->y_label)) {
        /* Rotated a quarter turn anticlockwise, reading bottom to top,
         * within the plot's height: above it is the title, below it the
         * x axis title. */
        const char *t = kiln__chart_fit_text(cr, o->y_label, p->h, scratch);
        double tw = kiln__chart_text_width(cr, t);
        double along = centred(h - (p->y + p->h / 2), tw, h - (p->y + p->h),
                               h - p->y);
        cairo_save(cr);
        cairo_translate(cr, y_left + m->label_asc, h);
        cairo_rotate(cr, -M_PI / 2);
        cairo_move_to(cr, along, 0);
        cairo_show_text(cr, t);
        cairo_restore(cr);
    }
}

void kiln__chart_draw_note(cairo_t *cr, const kiln_chart_metrics *m,
                           kiln_chart_rect plot)
{
    const kiln_chart_style *st = kiln__chart_style();
    const char *note = "no data yet";
    kiln__chart_set_font(cr, st->note_size, KILN__FONT_ITALIC);
    set_rgb(cr, st->note);
    double tw = kiln__chart_text_width(cr, note);
    cairo_move_to(cr, plot.x + (plot.w - tw) / 2,
                  plot.y + plot.h / 2 + m->digit_h / 2);
    cairo_show_text(cr, note);
}
