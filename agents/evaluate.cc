#include "agents/evaluate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/random.h"

namespace uw::agents {
namespace {

constexpr int64_t kWindowsPerPass = 128;  // bounds the memory of pictures in flight

// Sums for R^2 of predictions of D values: residuals and the targets' spread.
struct R2Sums {
  std::vector<double> sse, sum, squares;
  int64_t count = 0;

  explicit R2Sums(int64_t d) : sse(d), sum(d), squares(d) {}
  void add(const float* predicted, const float* truth) {
    for (size_t i = 0; i < sse.size(); ++i) {
      const double e = predicted[i] - truth[i];
      sse[i] += e * e;
      sum[i] += truth[i];
      squares[i] += double(truth[i]) * truth[i];
    }
    ++count;
  }
  // Per dimension; NaN where the target hardly varies: under a hundredth of the normalising
  // deviation (targets are normalised), as a resting cube's height under the trainer's floor on
  // deviations. There any error dwarfs the spread, and one such column's R^2 (-800) swamped the
  // mean of the others (0.9).
  std::vector<double> per_dim() const {
    std::vector<double> r2(sse.size(), std::nan(""));
    for (size_t i = 0; i < sse.size(); ++i) {
      const double sst = squares[i] - sum[i] * sum[i] / static_cast<double>(count);
      if (sst > 1e-4 * static_cast<double>(count)) r2[i] = 1.0 - sse[i] / sst;
    }
    return r2;
  }
  double mean() const {
    double total = 0;
    int used = 0;
    for (const double r : per_dim()) {
      if (!std::isnan(r)) total += r, ++used;
    }
    return used > 0 ? total / used : std::nan("");
  }
};

double squared_distance(const float* a, const float* b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += double(a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * static_cast<double>(i + j);
    i = j + 1;
  }
  return r;
}

// The spread of latents [count, Z]: per-dimension deviation, the covariance spectrum's effective
// rank, and the total deviation over the latents' RMS size.
void latent_spread(const std::vector<float>& z, int64_t Z, EvalReport& report) {
  const int64_t count = static_cast<int64_t>(z.size()) / Z;
  std::vector<double> mean(Z), cov(Z * Z);
  double squares = 0;
  for (int64_t i = 0; i < count; ++i)
    for (int64_t a = 0; a < Z; ++a) mean[a] += z[i * Z + a] / static_cast<double>(count);
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t a = 0; a < Z; ++a) {
      const double da = z[i * Z + a] - mean[a];
      squares += double(z[i * Z + a]) * z[i * Z + a];
      for (int64_t b = 0; b <= a; ++b) cov[a * Z + b] += da * (z[i * Z + b] - mean[b]);
    }
  }
  double trace = 0;
  report.latent_std.clear();
  for (int64_t a = 0; a < Z; ++a) {
    for (int64_t b = 0; b <= a; ++b) {
      cov[a * Z + b] /= static_cast<double>(count - 1);
      cov[b * Z + a] = cov[a * Z + b];
    }
    report.latent_std.push_back(std::sqrt(cov[a * Z + a]));
    trace += cov[a * Z + a];
  }
  std::vector<double> spectrum = symmetric_eigenvalues(cov, Z);
  double entropy = 0, total = 0;
  for (double& v : spectrum) total += v = std::max(v, 0.0);
  for (const double v : spectrum) {
    if (v > 0) entropy -= v / total * std::log(v / total);
  }
  report.effective_rank = total > 0 ? std::exp(entropy) : 0.0;
  const double rms = std::sqrt(squares / static_cast<double>(count));
  report.relative_spread = rms > 0 ? std::sqrt(trace) / rms : 0.0;
}

}  // namespace

uint64_t eval_seed(uint64_t training_seed) { return derive_seed(training_seed, 0xe7a1); }

int64_t eval_window_steps(const ModelConfig& c) {
  return (c.history - 1 + kEvalSteps) * c.frameskip;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  UW_CHECK(a.size() == b.size(), "spearman of samples of two sizes");
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - ma) * (rb[i] - mb);
    va += (ra[i] - ma) * (ra[i] - ma);
    vb += (rb[i] - mb) * (rb[i] - mb);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

std::vector<double> symmetric_eigenvalues(std::vector<double> m, int64_t n) {
  const auto at = [&](int64_t i, int64_t j) -> double& { return m[i * n + j]; };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j) off += at(i, j) * at(i, j);
    if (off < 1e-22) break;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        if (std::abs(at(p, q)) < 1e-300) continue;
        const double theta = (at(q, q) - at(p, p)) / (2 * at(p, q));
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // rotate rows and columns p, q
          const double kp = at(k, p), kq = at(k, q);
          at(k, p) = c * kp - s * kq;
          at(k, q) = s * kp + c * kq;
        }
        for (int64_t k = 0; k < n; ++k) {
          const double pk = at(p, k), qk = at(q, k);
          at(p, k) = c * pk - s * qk;
          at(q, k) = s * pk + c * qk;
        }
      }
    }
  }
  std::vector<double> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = at(i, i);
  return values;
}

bool is_collapsed(double relative_spread, double effective_rank, int64_t latent_dim,
                  std::string& reason) {
  if (!(relative_spread >= 0.05)) {
    // what varies is small against the latents' size: all near one point, or a constant offset
    // that carries nothing dwarfs it
    reason = "the latents barely vary: their spread is " + std::to_string(relative_spread) +
             " of their size (all near one point, or a constant offset dwarfs what varies)";
    return true;
  }
  if (latent_dim >= 4 && effective_rank < 1.5) {
    reason = "the latents span " + std::to_string(effective_rank) + " effective dimensions of " +
             std::to_string(latent_dim);
    return true;
  }
  reason.clear();
  return false;
}

EvalReport evaluate_model(const WorldModel& model, const data::WindowSampler& heldout,
                          int64_t windows, uint64_t seed) {
  const ModelFile& file = model.file();
  const int64_t H = model.history(), F = model.frameskip(), Z = model.latent_dim();
  const int64_t D = model.obs_size(), A = model.action_size();
  const int64_t P = file.shape.pixel_height * file.shape.pixel_width * 3;
  const int64_t L = eval_window_steps(file.config.model), n = H + kEvalSteps;
  UW_CHECK(heldout.window() == L, "held-out windows of another length than the evaluation's");
  if (windows < 2)
    throw Error("an evaluation needs at least 2 windows, got " + std::to_string(windows));
  if (heldout.windows() == 0) {
    throw Error("no held-out window of " + std::to_string(L) +
                " steps to evaluate on: every held-out episode is shorter");
  }
  EvalReport report;
  report.windows = windows;
  std::map<int64_t, double> error, baseline;
  std::map<int64_t, R2Sums> probe;
  for (const int64_t k : {int64_t{0}, int64_t{1}, int64_t{5}, int64_t{10}}) probe.emplace(k, D);
  std::vector<float> starts;  // z at each window's start [windows, Z]
  std::vector<double> latent_distance, state_distance;
  double idm_sse = 0;

  Rng rng(seed);
  data::WindowBatch w;
  std::vector<float> obs, z, history, chunks, imagined, decoded, inferred;
  std::vector<uint8_t> pixels;
  for (int64_t done = 0; done < windows;) {
    const int64_t N = std::min(kWindowsPerPass, windows - done);
    heldout.sample(rng, N, w);
    // the observations and pictures at chunk boundaries
    obs.resize(N * n * D);
    pixels.resize(N * n * P);
    for (int64_t b = 0; b < N; ++b) {
      for (int64_t j = 0; j < n; ++j) {
        std::copy_n(w.observations.data() + (b * (L + 1) + j * F) * D, D,
                    obs.data() + (b * n + j) * D);
        std::copy_n(w.pixels.data() + (b * (L + 1) + j * F) * P, P,
                    pixels.data() + (b * n + j) * P);
      }
    }
    z.resize(N * n * Z);
    model.encode(
        N * n, obs,
        model.pixel_size() > 0 ? std::span<const uint8_t>(pixels) : std::span<const uint8_t>(), z);
    history.resize(N * H * Z);
    chunks.resize(N * kEvalSteps * F * A);
    for (int64_t b = 0; b < N; ++b) {
      std::copy_n(z.data() + b * n * Z, H * Z, history.data() + b * H * Z);
      std::copy_n(w.actions.data() + (b * L + (H - 1) * F) * A, kEvalSteps * F * A,
                  chunks.data() + b * kEvalSteps * F * A);
    }
    imagined.resize(N * kEvalSteps * Z);
    model.rollout(N, kEvalSteps, history, chunks, imagined);
    const auto latent = [&](int64_t b, int64_t j) { return z.data() + (b * n + j) * Z; };
    const auto dreamt = [&](int64_t b, int64_t k) {
      return imagined.data() + (b * kEvalSteps + k - 1) * Z;
    };
    for (int64_t b = 0; b < N; ++b) {
      starts.insert(starts.end(), latent(b, H - 1), latent(b, H - 1) + Z);
      for (const int64_t k : kEvalHorizons) {
        error[k] += squared_distance(dreamt(b, k), latent(b, H - 1 + k), Z);
        baseline[k] += squared_distance(latent(b, H - 1), latent(b, H - 1 + k), Z);
      }
    }
    if (D > 0) {
      decoded.resize(N * D);
      std::vector<float> start(N * Z), truth(N * D);
      for (const auto& [k, sums] : probe) {
        for (int64_t b = 0; b < N; ++b) {
          std::copy_n(k == 0 ? latent(b, H - 1) : dreamt(b, k), Z, start.data() + b * Z);
          std::copy_n(obs.data() + (b * n + H - 1 + k) * D, D, truth.data() + b * D);
        }
        model.decode_state(N, start, decoded);
        for (int64_t b = 0; b < N; ++b)
          probe.at(k).add(decoded.data() + b * D, truth.data() + b * D);
      }
      // pairs of neighbouring windows' starts: latent against normalised state distance
      const Normalization& norm = file.normalization;
      for (int64_t b = 0; b + 1 < N; ++b) {
        latent_distance.push_back(
            std::sqrt(squared_distance(latent(b, H - 1), latent(b + 1, H - 1), Z)));
        double s = 0;
        for (int64_t d = 0; d < D; ++d) {
          const double diff =
              (obs[(b * n + H - 1) * D + d] - obs[((b + 1) * n + H - 1) * D + d]) / norm.obs_std[d];
          s += diff * diff;
        }
        state_distance.push_back(std::sqrt(s));
      }
    }
    if (model.has_inverse_dynamics()) {
      std::vector<float> now(N * Z), next(N * Z);
      for (int64_t b = 0; b < N; ++b) {
        std::copy_n(latent(b, H - 1), Z, now.data() + b * Z);
        std::copy_n(latent(b, H), Z, next.data() + b * Z);
      }
      inferred.resize(N * F * A);
      model.infer_actions(N, now, next, inferred);
      for (int64_t b = 0; b < N; ++b) {
        for (int64_t i = 0; i < F * A; ++i) {
          const double e = (inferred[b * F * A + i] - chunks[b * kEvalSteps * F * A + i]) /
                           file.normalization.action_std[i % A];
          idm_sse += e * e;
        }
      }
    }
    done += N;
  }

  for (const int64_t k : kEvalHorizons) {
    report.pred_error_ratio[k] = baseline[k] > 0 ? error[k] / baseline[k] : std::nan("");
  }
  if (D > 0) {
    for (const auto& [k, sums] : probe) report.probe_r2[k] = sums.mean();
    report.probe_r2_dims = probe.at(0).per_dim();
    report.plannability = spearman(latent_distance, state_distance);
  }
  if (model.has_inverse_dynamics()) {
    report.idm_error = idm_sse / static_cast<double>(windows * F * A);
  }
  latent_spread(starts, Z, report);
  report.collapsed =
      is_collapsed(report.relative_spread, report.effective_rank, Z, report.collapse_reason);
  return report;
}

nlohmann::json report_to_json(const EvalReport& r) {
  const auto number = [](std::optional<double> v) -> nlohmann::json {
    return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  const auto at = [](const std::map<int64_t, double>& m, int64_t k) -> std::optional<double> {
    const auto found = m.find(k);
    return found == m.end() ? std::nullopt : std::optional<double>(found->second);
  };
  nlohmann::json j = {{"windows", r.windows},
                      {"probe_r2", number(at(r.probe_r2, 0))},
                      {"effective_rank", r.effective_rank},
                      {"relative_spread", r.relative_spread},
                      {"collapsed", r.collapsed},
                      {"idm_error", number(r.idm_error)},
                      {"plannability", number(r.plannability)},
                      {"latent_std", r.latent_std}};
  for (const int64_t k : kEvalHorizons) {
    j["probe_r2_" + std::to_string(k)] = number(at(r.probe_r2, k));
    j["pred_error_ratio_" + std::to_string(k)] = number(at(r.pred_error_ratio, k));
  }
  nlohmann::json dims = nlohmann::json::array();
  for (const double v : r.probe_r2_dims) dims.push_back(number(v));
  j["probe_r2_dims"] = dims;
  if (r.collapsed) j["collapse_reason"] = r.collapse_reason;
  return j;
}

std::string report_line(const EvalReport& r) {
  char text[256];
  const auto get = [](const std::map<int64_t, double>& m, int64_t k) {
    const auto found = m.find(k);
    return found == m.end() ? std::nan("") : found->second;
  };
  std::snprintf(text, sizeof(text),
                "pred error ratio %.3f/%.3f/%.3f (1/5/10), probe r2 %.3f -> %.3f (10), rank "
                "%.2f, plannability %.2f",
                get(r.pred_error_ratio, 1), get(r.pred_error_ratio, 5), get(r.pred_error_ratio, 10),
                get(r.probe_r2, 0), get(r.probe_r2, 10), r.effective_rank,
                r.plannability.value_or(std::nan("")));
  std::string line = text;
  if (r.idm_error) line += ", idm error " + std::to_string(*r.idm_error);
  if (r.collapsed) line += "; COLLAPSED: " + r.collapse_reason;
  return line;
}

}  // namespace uw::agents
