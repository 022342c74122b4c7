/* SPDX-License-Identifier: BSD-3-Clause */
/* Beacon scoring after RITA's description (activecm/rita, GPL: no code
 * taken), with nanosecond inputs and millisecond doubles inside, so that
 * sub-second periods keep their shape instead of rounding to whole seconds
 * (rita-legacy #117).
 *
 * Choices, where RITA's description leaves room or does not fit:
 *
 * - Intervals: consecutive sorted event times; intervals below 1 ms
 *   (BEACON_ZERO_INTERVAL_NS) are "zero" and dropped, the sub-second
 *   analogue of RITA's unique whole-second timestamps. At least 3 must
 *   remain, else everything scores 0.
 * - Quartiles and medians: linear interpolation between order statistics
 *   (Hyndman-Fan type 7).
 * - Dispersion part (intervals and sizes alike): mean of
 *   1 - |Bowley skew| and max(0, (median - MAD) / median). The skew,
 *   (Q1 + Q3 - 2 Q2) / (Q3 - Q1), is taken as 0 when Q2 equals Q1 or Q3
 *   or the IQR is tiny: below max(1 unit, 1 % of the median), 1 unit being
 *   1 ms or 1 byte. RITA's fixed "IQR < 10" assumes whole seconds; with
 *   a 1 ms floor alone, a few ms of network jitter on a 5 s beacon would
 *   count as skew, 1 % of the median absorbs it. For intervals the
 *   floor is 20 % of the median (INTERVAL_JITTER): a C2 agent's jitter.
 *   The MAD part is 1 when the median is below 1 unit. All sizes equal
 *   gives 1.
 * - Histogram part: the events are binned into B equal bins over their own
 *   span (first to last event), B = min(24, 2 (n - 1) / 3) and at least 2:
 *   a bin is about 1.5 mean intervals wide, so jitter of up to half a
 *   period never empties a bin of a true beacon, while random arrivals
 *   leave some empty. (24 fixed bins would leave most bins of a short
 *   series empty; one interval per bin puts every event on a bin edge.)
 *   Part = max(even, bimodal):
 *     even = 1 - (CV - CV_even) * sqrt(mean), clamped to [0, 1], where CV
 *     is the coefficient of variation of the B bin counts, CV_even the CV
 *     of the most even split of n events into B bins (the floor a perfect
 *     beacon reaches through rounding alone) and 1 / sqrt(mean) the CV of
 *     random (Poisson) arrivals: 1 for a metronome, 0 for traffic as
 *     uneven as chance. RITA's plain 1 - CV suits thousands of events per
 *     hourly bin, not 2 or 3 per bin, where chance alone looks even.
 *     bimodal (RITA's fit, only with >= 11 non-empty bins): bin heights
 *     are bucketed by ceil(max height * 0.05); fit = bins in the two most
 *     common buckets / (B - 1), at most 1; 0 when those two buckets are
 *     neighbours (one rate plus noise, which small counts always show).
 *     It rewards a beacon that runs at two rates, or on and off.
 * - Duration part: RITA's (last - first) / dataset span is always 1 over
 *   the events' own span, so only its other half is kept: the longest run
 *   of consecutive non-empty bins / B (no wrap: the span is not a day).
 *   A beacon that fell silent for a stretch scores lower.
 */
#include "analyzers/flow_timing/beacon.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define HIST_MAX_BINS 24
#define BIMODAL_MIN_BINS 11
#define BIMODAL_SENSITIVITY 0.05
#define SKEW_REL_FLOOR 0.01
/* Intervals clustered within this share of their median are a schedule,
 * whatever their skew: C2 agents add jitter on purpose (commonly 10-30 %
 * of the period), and the quartiles of a dozen jittered intervals are
 * skewed by chance. An IQR of 0.2 of the median is uniform jitter of
 * +-20 %; wider spreads are judged by their skew as before. */
#define INTERVAL_JITTER 0.2
#define NS_PER_MS 1e6

static void sort_u64(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void sort_double(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		double x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* p-quantile of sorted v[0..n-1], n > 0. */
static double quantile_sorted(const double *v, unsigned n, double p)
{
	double h = (double)(n - 1) * p;
	unsigned lo = (unsigned)h;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
}

static double bowley_skew(double q1, double q2, double q3, double unit,
			  double rel_floor)
{
	double iqr = q3 - q1;
	double floor = fmax(unit, rel_floor * q2);

	if (iqr < floor || q2 == q1 || q2 == q3)
		return 0.0;
	return (q1 + q3 - 2.0 * q2) / iqr;
}

/* Sorts v in place (scratch holds n doubles) and scores how tightly it
 * clusters; unit is the smallest meaningful difference (1 ms, 1 byte). */
static double dispersion_part(double *v, unsigned n, double unit,
			      double rel_floor, double *scratch,
			      double *median_out, double *mad_out)
{
	double q1, q2, q3, mad, skew, mad_part;

	sort_double(v, n);
	q1 = quantile_sorted(v, n, 0.25);
	q2 = quantile_sorted(v, n, 0.5);
	q3 = quantile_sorted(v, n, 0.75);
	for (unsigned i = 0; i < n; i++)
		scratch[i] = fabs(v[i] - q2);
	sort_double(scratch, n);
	mad = quantile_sorted(scratch, n, 0.5);

	skew = bowley_skew(q1, q2, q3, unit, rel_floor);
	mad_part = q2 < unit ? 1.0 : fmax(0.0, (q2 - mad) / q2);
	if (median_out)
		*median_out = q2;
	if (mad_out)
		*mad_out = mad;
	return (clamp01(1.0 - fabs(skew)) + mad_part) / 2.0;
}

static unsigned hist_bins(unsigned n)
{
	unsigned b = 2 * (n - 1) / 3;

	if (b > HIST_MAX_BINS)
		b = HIST_MAX_BINS;
	return b < 2 ? 2 : b;
}

static void hist_fill(const uint64_t *sorted_ts, unsigned n, unsigned bins,
		      unsigned *count)
{
	double span = (double)(sorted_ts[n - 1] - sorted_ts[0]);

	memset(count, 0, bins * sizeof(count[0]));
	for (unsigned i = 0; i < n; i++) {
		double pos = (double)(sorted_ts[i] - sorted_ts[0]) / span;
		unsigned b = (unsigned)(pos * (double)bins);

		count[b < bins ? b : bins - 1]++;
	}
}

static double cv_of_counts(const unsigned *count, unsigned bins, double mean)
{
	double var = 0.0;

	for (unsigned i = 0; i < bins; i++) {
		double d = (double)count[i] - mean;

		var += d * d;
	}
	return sqrt(var / bins) / mean;
}

/* CV of n events split as evenly as bins allow (n % bins bins hold one
 * more): the least a perfectly periodic series can reach. */
static double cv_even_split(unsigned n, unsigned bins)
{
	double mean = (double)n / bins;
	double q = (double)(n / bins);
	unsigned r = n % bins;
	double var = ((double)r * (q + 1 - mean) * (q + 1 - mean) +
		      (double)(bins - r) * (q - mean) * (q - mean)) / bins;

	return sqrt(var) / mean;
}

static double bimodal_fit(const unsigned *count, unsigned bins)
{
	unsigned freq[BEACON_MAX_EVENTS + 1] = { 0 };
	unsigned max = 0, nonempty = 0, width, top1 = 0, top2 = 0;

	for (unsigned i = 0; i < bins; i++) {
		if (count[i] > max)
			max = count[i];
		nonempty += count[i] > 0;
	}
	if (nonempty < BIMODAL_MIN_BINS)
		return 0.0;
	width = (unsigned)ceil((double)max * BIMODAL_SENSITIVITY);
	if (width == 0)
		width = 1;
	for (unsigned i = 0; i < bins; i++)
		freq[count[i] / width]++;
	for (unsigned i = 1; i <= BEACON_MAX_EVENTS; i++)
		if (freq[i] > freq[top1])
			top1 = i;
	top2 = top1 == 0 ? 1 : 0;
	for (unsigned i = 0; i <= BEACON_MAX_EVENTS; i++)
		if (i != top1 && freq[i] > freq[top2])
			top2 = i;
	/* Neighbouring buckets are one rate with noise, not two rates. */
	if (freq[top2] == 0 || top1 + 1 == top2 || top2 + 1 == top1)
		return 0.0;
	return clamp01((double)(freq[top1] + freq[top2]) / (double)(bins - 1));
}

static double hist_part(const unsigned *count, unsigned bins, unsigned n)
{
	double mean = (double)n / bins;
	double excess = cv_of_counts(count, bins, mean) -
			cv_even_split(n, bins);
	double even = clamp01(1.0 - excess * sqrt(mean));

	return fmax(even, bimodal_fit(count, bins));
}

static double dur_part(const unsigned *count, unsigned bins)
{
	unsigned run = 0, best = 0;

	for (unsigned i = 0; i < bins; i++) {
		run = count[i] ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return (double)best / bins;
}

int beacon_score(const uint64_t *ts_ns, const uint32_t *sizes, unsigned n,
		 struct beacon_result *r)
{
	uint64_t ts[BEACON_MAX_EVENTS];
	double iv[BEACON_MAX_EVENTS], sz[BEACON_MAX_EVENTS];
	double scratch[BEACON_MAX_EVENTS];
	unsigned count[HIST_MAX_BINS], bins, m = 0;

	memset(r, 0, sizeof(*r));
	if (n > BEACON_MAX_EVENTS || (n > 0 && (!ts_ns || !sizes)))
		return -EINVAL;
	r->n = n;
	if (n == 0)
		return 0;
	memcpy(ts, ts_ns, n * sizeof(ts[0]));
	sort_u64(ts, n);
	r->span_ms = (double)(ts[n - 1] - ts[0]) / NS_PER_MS;

	for (unsigned i = 1; i < n; i++) {
		uint64_t d = ts[i] - ts[i - 1];

		if (d >= BEACON_ZERO_INTERVAL_NS)
			iv[m++] = (double)d / NS_PER_MS;
	}
	r->n_intervals = m;
	if (m < BEACON_MIN_INTERVALS)
		return 0;

	r->ts_score = dispersion_part(iv, m, 1.0, INTERVAL_JITTER, scratch,
				      &r->interval_median_ms,
				      &r->interval_mad_ms);
	for (unsigned i = 0; i < n; i++)
		sz[i] = (double)sizes[i];
	r->size_score = dispersion_part(sz, n, 1.0, SKEW_REL_FLOOR, scratch,
					NULL, NULL);

	/* >= 3 intervals of >= 1 ms: the span is not zero. */
	bins = hist_bins(n);
	hist_fill(ts, n, bins, count);
	r->hist_score = hist_part(count, bins, n);
	r->dur_score = dur_part(count, bins);

	r->score = 0.25 * (r->ts_score + r->size_score + r->hist_score +
			   r->dur_score);
	return 0;
}
