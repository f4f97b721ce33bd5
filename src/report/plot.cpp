// Plots (plot.hpp): axes and ticks, CSV and PGFPlots text, Cairo PNG/PDF rendering.
#include "rigornet/report/plot.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <numbers>
#include <numeric>
#include <sstream>

#include <cairo-pdf.h>
#include <cairo.h>

#include "rigornet/core/error.hpp"
#include "rigornet/number/rational.hpp"
#include "rigornet/report/table.hpp"

namespace rigornet {

namespace {

std::string shortest(double d) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

// ⌊log10 v⌋ for v > 0, corrected so that 10^k ≤ v < 10^(k+1) holds for the doubles
// std::pow(10, k) (log10 may be off by one near powers of ten).
constexpr double pad = 8, box_top = 50 - pad, legend_row = 18;

double legend_height(const Plot& p) { return legend_row * static_cast<double>(p.series.size()) + 12; }

int floor_log10(double v) {
    int k = static_cast<int>(std::floor(std::log10(v)));
    while (std::pow(10.0, k) > v) --k;
    while (std::pow(10.0, k + 1) <= v) ++k;
    return k;
}

}  // namespace

AxisRange axis_range(double dmin, double dmax, bool log) {
    if (!std::isfinite(dmin) || !std::isfinite(dmax) || dmin > dmax)
        throw DomainError("axis_range: expected finite dmin <= dmax, got " + shortest(dmin) + ", " + shortest(dmax));
    AxisRange a;
    if (log) {
        if (!(dmin > 0)) throw DomainError("axis_range: a log axis needs positive data, got " + shortest(dmin));
        int k0 = floor_log10(dmin), k1 = floor_log10(dmax);
        if (std::pow(10.0, k1) < dmax) ++k1;  // ⌈log10 dmax⌉
        if (k0 == k1) --k0, ++k1;
        // the smallest k that leaves at most 10 intervals once both ends are widened to
        // multiples of k (so that both are ticks)
        const auto fl = [](int k, int every) { return k >= 0 ? k / every * every : -((-k + every - 1) / every) * every; };
        int every = 1;
        while ((-fl(-k1, every) - fl(k0, every)) / every > 10) ++every;
        k0 = fl(k0, every);
        k1 = -fl(-k1, every);
        a.lo = std::pow(10.0, k0);
        a.hi = std::pow(10.0, k1);
        for (int k = k0; k <= k1; k += every) a.ticks.push_back(std::pow(10.0, k));
        return a;
    }
    double lo = dmin, hi = dmax;
    // an interval below the resolution of its doubles is treated as a point
    if (hi - lo <= 1e-6 * std::max(std::abs(lo), std::abs(hi))) {
        const double w = lo == 0 ? 1.0 : 0.1 * std::abs(lo);
        lo -= w;
        hi += w;
    }
    // the largest step 1, 2, 5 × 10^k giving at least 4 intervals; the 1-2-5 steps grow by
    // at most 2.5, so the one chosen gives at most 12 (10^(e−1) already gives ≥ 10)
    const int e = floor_log10(hi - lo);
    double step = 0;
    for (int k = e + 1; k >= e - 1 && step == 0; --k)
        for (double m : {5.0, 2.0, 1.0}) {
            const double s = m * std::pow(10.0, k);
            if (std::ceil(hi / s) - std::floor(lo / s) >= 4) {
                step = s;
                break;
            }
        }
    const long i0 = static_cast<long>(std::floor(lo / step)), i1 = static_cast<long>(std::ceil(hi / step));
    a.lo = static_cast<double>(i0) * step;
    a.hi = static_cast<double>(i1) * step;
    // guard against the rounding of i·step: the range must cover the data
    if (a.lo > dmin) a.lo = dmin;
    if (a.hi < dmax) a.hi = dmax;
    for (long i = i0; i <= i1; ++i) a.ticks.push_back(i == i0 ? a.lo : i == i1 ? a.hi : static_cast<double>(i) * step);
    return a;
}

double PlotFrame::px(double v) const {
    const double t = log_x ? (std::log10(v) - std::log10(x.lo)) / (std::log10(x.hi) - std::log10(x.lo)) : (v - x.lo) / (x.hi - x.lo);
    return left + t * (right - left);
}

double PlotFrame::py(double v) const {
    const double t = log_y ? (std::log10(v) - std::log10(y.lo)) / (std::log10(y.hi) - std::log10(y.lo)) : (v - y.lo) / (y.hi - y.lo);
    return bottom - t * (bottom - top);
}

PlotFrame plot_frame(const Plot& p) {
    if (p.width < 200 || p.height < 150 || p.width > 8192 || p.height > 8192)
        throw ShapeError("plot '" + p.title + "': size " + std::to_string(p.width) + "x" + std::to_string(p.height) +
                         " outside 200x150 .. 8192x8192");
    if (!p.x_categories.empty() && p.log_x) throw DomainError("plot '" + p.title + "': a categorical x axis cannot be logarithmic");
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (const PlotSeries& s : p.series)
        for (std::size_t i = 0; i < s.points.size(); ++i) {
            const PlotPoint& q = s.points[i];
            const std::string where = "plot '" + p.title + "', series '" + s.name + "', point " + std::to_string(i + 1);
            if (!std::isfinite(q.x) || !std::isfinite(q.lo) || !std::isfinite(q.hi))
                throw DomainError(where + ": a value is not finite");
            if (q.lo > q.hi) throw DomainError(where + ": lo " + shortest(q.lo) + " > hi " + shortest(q.hi));
            if (p.log_y && !(q.lo > 0)) throw DomainError(where + ": y = " + shortest(q.lo) + " <= 0 on a log axis");
            if (p.log_x && !(q.x > 0)) throw DomainError(where + ": x = " + shortest(q.x) + " <= 0 on a log axis");
            if (!p.x_categories.empty() &&
                (q.x != std::round(q.x) || q.x < 1 || q.x > static_cast<double>(p.x_categories.size())))
                throw DomainError(where + ": x = " + shortest(q.x) + " is not a category number");
            xmin = std::min(xmin, q.x), xmax = std::max(xmax, q.x);
            ymin = std::min(ymin, q.lo), ymax = std::max(ymax, q.hi);
        }
    if (xmin > xmax) throw DomainError("plot '" + p.title + "': no data");
    PlotFrame f;
    f.log_x = p.log_x;
    f.log_y = p.log_y;
    // the data area; the box drawn around it is `pad` pixels larger, so data on the ends
    // of an axis stays visible
    f.left = 90 + pad;
    f.right = p.width - 30.0 - pad;
    f.top = box_top + legend_height(p) + pad;  // the legend sits above the data
    f.bottom = p.height - 70.0 - pad;
    if (!p.x_categories.empty()) {
        f.x.lo = 0.5;
        f.x.hi = static_cast<double>(p.x_categories.size()) + 0.5;
        for (std::size_t k = 1; k <= p.x_categories.size(); ++k) f.x.ticks.push_back(static_cast<double>(k));
    } else {
        f.x = axis_range(xmin, xmax, p.log_x);
    }
    f.y = axis_range(ymin, ymax, p.log_y);
    return f;
}

Plot plot_columns(const Table& t, const std::string& x_key, const std::vector<std::string>& y_keys, bool log_y) {
    const auto column = [&](const std::string& key) {
        const auto it = std::find(t.keys.begin(), t.keys.end(), key);
        if (it == t.keys.end()) throw ParseError("table '" + t.title + "': no column '" + key + "' to plot");
        return static_cast<std::size_t>(it - t.keys.begin());
    };
    const std::size_t xc = column(x_key);
    Plot p;
    p.title = t.title;
    p.xlabel = t.headers[xc];
    p.log_y = log_y;
    bool numeric_x = true;
    std::vector<double> xs;
    for (const auto& row : t.rows) {
        try {
            xs.push_back(parse_rational(row[xc].value).to_double(Round::nearest));
        } catch (const ParseError&) {
            numeric_x = false;
        }
    }
    if (!numeric_x) {
        xs.clear();
        for (const auto& row : t.rows) {
            p.x_categories.push_back(row[xc].text);
            xs.push_back(static_cast<double>(p.x_categories.size()));
        }
    }
    for (const std::string& key : y_keys) {
        const std::size_t yc = column(key);
        PlotSeries s{t.headers[yc], {}, true, true, false};
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            Rational v;
            try {
                v = parse_rational(t.rows[r][yc].value);
            } catch (const ParseError&) {
                throw ParseError("table '" + t.title + "', column '" + key + "', row " + std::to_string(r + 1) + ": '" +
                                 t.rows[r][yc].value + "' is not a number");
            }
            s.points.push_back({xs[r], v.to_double(Round::down), v.to_double(Round::up)});
        }
        p.series.push_back(std::move(s));
    }
    p.ylabel = y_keys.size() == 1 ? p.series[0].name : "value";
    return p;
}

std::string plot_csv(const Plot& p) {
    plot_frame(p);  // the same checks as the pictures
    Table t;
    t.title = p.title;
    t.keys = t.headers = {"series", "x", "y_lo", "y_hi"};
    for (const PlotSeries& s : p.series)
        for (const PlotPoint& q : s.points) t.add_row({s.name, shortest(q.x), shortest(q.lo), shortest(q.hi)});
    return render(t, TableFormat::csv);
}

std::string plot_pgfplots(const Plot& p) {
    plot_frame(p);
    std::ostringstream o;
    o << "% " << escape_latex(p.title) << " (written by rigornet; compile with pdflatex)\n"
      << "\\documentclass{standalone}\n\\usepackage{pgfplots}\n\\pgfplotsset{compat=1.16}\n"
      << "\\begin{document}\n\\begin{tikzpicture}\n\\begin{axis}[\n"
      << "  title={" << escape_latex(p.title) << "},\n  xlabel={" << escape_latex(p.xlabel) << "},\n  ylabel={"
      << escape_latex(p.ylabel) << "},\n"
      << "  width=12cm, height=8cm, grid=major, legend pos=outer north east, legend cell align=left,\n";
    if (p.log_x) o << "  xmode=log,\n";
    if (p.log_y) o << "  ymode=log,\n";
    if (!p.x_categories.empty()) {
        o << "  xtick={";
        for (std::size_t k = 1; k <= p.x_categories.size(); ++k) o << (k > 1 ? "," : "") << k;
        o << "},\n  xticklabels={";
        for (std::size_t k = 0; k < p.x_categories.size(); ++k) o << (k ? "," : "") << "{" << escape_latex(p.x_categories[k]) << "}";
        o << "},\n  xmin=0.5, xmax=" << p.x_categories.size() << ".5,\n";
    }
    o << "]\n";
    for (const PlotSeries& s : p.series) {
        o << "\\addplot+[" << (s.line ? "" : "only marks, ") << (s.markers ? "mark=*" : "no markers")
          << (s.error_bars ? ", error bars/.cd, y dir=both, y explicit" : "") << "]\n  table[x=x, y=y"
          << (s.error_bars ? ", y error plus expr=\\thisrow{hi}-\\thisrow{y}, y error minus expr=\\thisrow{y}-\\thisrow{lo}" : "")
          << "] {\n  x y lo hi\n";
        for (const PlotPoint& q : s.points)
            o << "  " << shortest(q.x) << ' ' << shortest(q.lo == q.hi ? q.lo : std::midpoint(q.lo, q.hi)) << ' ' << shortest(q.lo)
              << ' ' << shortest(q.hi) << '\n';
        o << "};\n\\addlegendentry{" << escape_latex(s.name) << "}\n";
    }
    o << "\\end{axis}\n\\end{tikzpicture}\n\\end{document}\n";
    return o.str();
}

namespace {

struct Rgb {
    double r, g, b;
};
// Dark, distinguishable colours (each with luma below 0.5, so lines read as dark pixels).
constexpr Rgb palette[] = {{0.0, 0.25, 0.7}, {0.75, 0.1, 0.1}, {0.0, 0.45, 0.15}, {0.45, 0.1, 0.55}, {0.6, 0.35, 0.0}, {0.1, 0.1, 0.1}};

std::string tick_label(double v, bool log) {
    if (log) return "1e" + std::to_string(floor_log10(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::abs(v) < 1e-12 ? 0.0 : v);
    return buf;
}

void text_at(cairo_t* cr, const std::string& s, double x, double y, double ax, double ay, double size) {
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_move_to(cr, x - ax * e.width - e.x_bearing, y - ay * e.height - e.y_bearing);
    cairo_show_text(cr, s.c_str());
}

void draw(const Plot& p, const PlotFrame& f, cairo_t* cr) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    // grid and ticks
    cairo_set_line_width(cr, 1);
    for (double t : f.x.ticks) {
        const double x = std::round(f.px(t)) + 0.5;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, x, box_top);
        cairo_line_to(cr, x, f.bottom + pad);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        const std::string label = p.x_categories.empty() ? tick_label(t, p.log_x) : p.x_categories[static_cast<std::size_t>(t) - 1];
        text_at(cr, label, x, f.bottom + pad + 8, 0.5, 0, 12);
    }
    for (double t : f.y.ticks) {
        const double y = std::round(f.py(t)) + 0.5;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, f.left - pad, y);
        cairo_line_to(cr, f.right + pad, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, tick_label(t, p.log_y), f.left - pad - 8, y, 1, 0.5, 12);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    const auto box = [&] { cairo_rectangle(cr, f.left - pad, box_top, f.right - f.left + 2 * pad, f.bottom + pad - box_top); };
    box();
    cairo_stroke(cr);
    text_at(cr, p.title, (f.left + f.right) / 2, 18, 0.5, 0.5, 15);
    text_at(cr, p.xlabel, (f.left + f.right) / 2, p.height - 22.0, 0.5, 0.5, 13);
    cairo_save(cr);
    cairo_translate(cr, 22, (f.top + f.bottom) / 2);
    cairo_rotate(cr, -std::numbers::pi / 2);
    text_at(cr, p.ylabel, 0, 0, 0.5, 0.5, 13);
    cairo_restore(cr);
    // data, clipped to the frame
    cairo_save(cr);
    box();
    cairo_clip(cr);
    for (std::size_t k = 0; k < p.series.size(); ++k) {
        const PlotSeries& s = p.series[k];
        const Rgb c = palette[k % std::size(palette)];
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        const auto mid = [&](const PlotPoint& q) {
            return q.lo == q.hi ? f.py(q.lo) : p.log_y ? f.py(std::sqrt(q.lo) * std::sqrt(q.hi)) : f.py(std::midpoint(q.lo, q.hi));
        };
        if (s.line && s.points.size() > 1) {
            cairo_set_line_width(cr, 2);
            for (std::size_t i = 0; i < s.points.size(); ++i)
                (i ? cairo_line_to : cairo_move_to)(cr, f.px(s.points[i].x), mid(s.points[i]));
            cairo_stroke(cr);
        }
        for (const PlotPoint& q : s.points) {
            const double x = f.px(q.x), y = mid(q);
            if (s.error_bars && q.lo != q.hi) {
                cairo_set_line_width(cr, 1.5);
                cairo_move_to(cr, x, f.py(q.lo));
                cairo_line_to(cr, x, f.py(q.hi));
                for (double e : {q.lo, q.hi}) {
                    cairo_move_to(cr, x - 4, f.py(e));
                    cairo_line_to(cr, x + 4, f.py(e));
                }
                cairo_stroke(cr);
            }
            if (s.markers) {
                cairo_arc(cr, x, y, 3.5, 0, 2 * std::numbers::pi);
                cairo_fill(cr);
            }
        }
    }
    cairo_restore(cr);
    // legend, top right inside the frame, on white
    cairo_set_font_size(cr, 12);
    double tw = 0;
    for (const PlotSeries& s : p.series) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, s.name.c_str(), &e);
        tw = std::max(tw, e.x_advance);
    }
    const double lx = f.right - tw - 40, ly0 = box_top + 4;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, lx - 6, ly0 - 2, tw + 42, legend_row * static_cast<double>(p.series.size()) + 4);
    cairo_fill(cr);
    for (std::size_t k = 0; k < p.series.size(); ++k) {
        const double ly = ly0 + 9 + legend_row * static_cast<double>(k);
        const Rgb c = palette[k % std::size(palette)];
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        if (p.series[k].line) {
            cairo_set_line_width(cr, 2);
            cairo_move_to(cr, lx, ly);
            cairo_line_to(cr, lx + 25, ly);
            cairo_stroke(cr);
        } else {
            cairo_arc(cr, lx + 12.5, ly, 3.5, 0, 2 * std::numbers::pi);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, p.series[k].name, lx + 32, ly, 0, 0.5, 12);
    }
}

struct SurfaceFree {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextFree {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceFree>;
using Context = std::unique_ptr<cairo_t, ContextFree>;

void check(cairo_status_t st, const std::string& path) {
    if (st != CAIRO_STATUS_SUCCESS) throw ParseError(path + ": cannot write (" + cairo_status_to_string(st) + ")");
}

// Draws with `paint` on a PNG (image surface) or PDF surface of w × h and writes it.
template <class Paint>
void render_to(bool pdf, int w, int h, const std::string& path, Paint&& paint) {
    Surface s(pdf ? cairo_pdf_surface_create(path.c_str(), w, h) : cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h));
    check(cairo_surface_status(s.get()), path);
    {
        Context cr(cairo_create(s.get()));
        paint(cr.get());
        check(cairo_status(cr.get()), path);
    }
    if (pdf) {
        cairo_surface_finish(s.get());
        check(cairo_surface_status(s.get()), path);
    } else {
        check(cairo_surface_write_to_png(s.get(), path.c_str()), path);
    }
}

void write_text(const std::string& text, const std::string& path) {
    std::FILE* fp = std::fopen(path.c_str(), "wb");
    if (!fp) throw ParseError(path + ": cannot write");
    const bool ok = std::fwrite(text.data(), 1, text.size(), fp) == text.size();
    if (std::fclose(fp) != 0 || !ok) throw ParseError(path + ": write failed");
}

}  // namespace

void write_plot_png(const Plot& p, const std::string& path) {
    const PlotFrame f = plot_frame(p);
    render_to(false, p.width, p.height, path, [&](cairo_t* cr) { draw(p, f, cr); });
}

void write_plot_pdf(const Plot& p, const std::string& path) {
    const PlotFrame f = plot_frame(p);
    render_to(true, p.width, p.height, path, [&](cairo_t* cr) { draw(p, f, cr); });
}

std::vector<std::string> write_plot(const Plot& p, const std::string& prefix) {
    const std::vector<std::string> paths = {prefix + ".png", prefix + ".pdf", prefix + ".tex", prefix + ".csv"};
    write_plot_png(p, paths[0]);
    write_plot_pdf(p, paths[1]);
    write_text(plot_pgfplots(p), paths[2]);
    write_text(plot_csv(p), paths[3]);
    return paths;
}

Image error_image(const Image& a, const Image& b, double* max_abs) {
    if (a.width != b.width || a.height != b.height) throw ShapeError("error_image: the images differ in size");
    Image e(a.width, a.height);
    double m = 0;
    for (std::size_t i = 0; i < e.pixels.size(); ++i) m = std::max(m, e.pixels[i] = std::abs(a.pixels[i] - b.pixels[i]));
    if (m > 0)
        for (double& v : e.pixels) v /= m;
    if (max_abs) *max_abs = m;
    return e;
}

std::vector<std::string> write_image_panel(const std::vector<PanelImage>& images, const std::string& prefix) {
    if (images.empty()) throw ShapeError("write_image_panel: no images");
    const std::size_t w = images[0].image.width, h = images[0].image.height;
    for (const PanelImage& im : images)
        if (im.image.width != w || im.image.height != h)
            throw ShapeError("write_image_panel: '" + im.label + "' is " + std::to_string(im.image.width) + "x" +
                             std::to_string(im.image.height) + ", expected " + std::to_string(w) + "x" + std::to_string(h));
    const std::size_t scale = std::max<std::size_t>(1, (256 + std::max(w, h) - 1) / std::max(w, h));
    const int gap = 16, label_h = 30;
    const int cw = static_cast<int>(w * scale), ch = static_cast<int>(h * scale);
    const int W = gap + static_cast<int>(images.size()) * (cw + gap), H = label_h + ch + gap;
    if (W > 32768 || H > 32768) throw ShapeError("write_image_panel: the panel would exceed 32768 pixels");
    const auto paint = [&](cairo_t* cr) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        for (std::size_t k = 0; k < images.size(); ++k) {
            const double x0 = gap + static_cast<double>(k) * (cw + gap);
            cairo_set_source_rgb(cr, 0, 0, 0);
            text_at(cr, images[k].label, x0 + cw / 2.0, label_h / 2.0, 0.5, 0.5, 13);
            // the gray image as an 8-bit surface (round(255·clamp(v))), scaled up without smoothing
            Surface img(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(w), static_cast<int>(h)));
            cairo_surface_flush(img.get());
            unsigned char* data = cairo_image_surface_get_data(img.get());
            const int stride = cairo_image_surface_get_stride(img.get());
            for (std::size_t j = 0; j < h; ++j)
                for (std::size_t i = 0; i < w; ++i) {
                    const double v = images[k].image.at(i, j);
                    const auto g = static_cast<std::uint32_t>(std::lround(255 * std::clamp(std::isnan(v) ? 0.0 : v, 0.0, 1.0)));
                    reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(j) * stride)[i] = (g << 16) | (g << 8) | g;
                }
            cairo_surface_mark_dirty(img.get());
            cairo_save(cr);
            cairo_translate(cr, x0, label_h);
            cairo_scale(cr, static_cast<double>(scale), static_cast<double>(scale));
            cairo_set_source_surface(cr, img.get(), 0, 0);
            cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
            cairo_paint(cr);
            cairo_restore(cr);
        }
    };
    const std::vector<std::string> paths = {prefix + ".png", prefix + ".pdf", prefix + ".csv"};
    render_to(false, W, H, paths[0], paint);
    render_to(true, W, H, paths[1], paint);
    Table t;
    t.title = "image panel";
    t.keys = {"i", "j"};
    for (std::size_t k = 0; k < images.size(); ++k) {
        std::string key = images[k].label;
        for (int n = 2; std::find(t.keys.begin(), t.keys.end(), key) != t.keys.end(); ++n)
            key = images[k].label + " (" + std::to_string(n) + ")";
        t.keys.push_back(key);
    }
    t.headers = t.keys;
    for (std::size_t j = 0; j < h; ++j)
        for (std::size_t i = 0; i < w; ++i) {
            std::vector<Cell> row = {std::to_string(i), std::to_string(j)};
            for (const PanelImage& im : images) row.emplace_back(shortest(im.image.at(i, j)));
            t.add_row(std::move(row));
        }
    write_text(render(t, TableFormat::csv), paths[2]);
    return paths;
}

}  // namespace rigornet
