/*  bench_util - what the benchmark programs share: clock, RESULT lines,
    medians over runs, and the cells of their tables
    SPDX-License-Identifier: MPL-2.0

    Header only, so each benchmark stays one translation unit and can be
    built wherever its dependencies are (bench_restart is built beside
    actor-run). Needs nothing from actorio or czmq. Include it after
    defining _GNU_SOURCE (for strsep).

    A RESULT line is tab-separated: RESULT, bench, system, figure, unit,
    value. bench/run greps these lines out of several runs and hands them
    back with --table; a bench_table_t collects them, by bench name, so a
    program prints the same table from its own run or from files.
*/
#ifndef BENCH_UTIL_H_INCLUDED
#define BENCH_UTIL_H_INCLUDED

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_BENCHES   64          //  distinct bench names in a table
#define BENCH_MAX_SAMPLES   64          //  values (runs) kept per bench

typedef struct {
    char name [64];                     //  the RESULT line's bench field
    double values [BENCH_MAX_SAMPLES];  //  one per run
    int count;                          //  values held
} bench_samples_t;

typedef struct {
    bench_samples_t samples [BENCH_MAX_BENCHES];   //  one per bench name
    int count;                                      //  benches held
} bench_table_t;

//  Monotonic clock in ns.
static inline uint64_t
bench_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

//  Keep one value of a bench. Values past the limits are dropped rather
//  than failing the run: the table then notes fewer runs.
static inline void
bench_record (bench_table_t *table, const char *bench, double value)
{
    int index = 0;
    while (index < table->count && strcmp (table->samples [index].name, bench)) {
        index++;
    }
    if (index == table->count) {
        if (table->count == BENCH_MAX_BENCHES) {
            return;
        }
        bench_samples_t *samples = &table->samples [index];
        snprintf (samples->name, sizeof samples->name, "%s", bench);
        table->count++;
    }
    bench_samples_t *samples = &table->samples [index];
    if (samples->count < BENCH_MAX_SAMPLES) {
        samples->values [samples->count++] = value;
    }
}

//  Print a RESULT line and, if table is not NULL, record its value. The
//  flush lets a run that dies later still leave its lines to bench/run.
static inline void
bench_result (bench_table_t *table, const char *bench, const char *system,
              const char *figure, const char *unit, double value)
{
    printf ("RESULT\t%s\t%s\t%s\t%s\t%.6g\n", bench, system, figure, unit, value);
    fflush (stdout);
    if (table) {
        bench_record (table, bench, value);
    }
}

static inline int
bench_compare_double (const void *left, const void *right)
{
    double a = * (const double *) left, b = * (const double *) right;
    return (a > b) - (a < b);
}

//  The median of a bench's values, NAN if it has none; *runs (if not
//  NULL) gets how many values there were.
static inline double
bench_median (bench_table_t *table, const char *bench, int *runs)
{
    if (runs) {
        *runs = 0;
    }
    for (int index = 0; index < table->count; index++) {
        bench_samples_t *samples = &table->samples [index];
        if (!strcmp (samples->name, bench) && samples->count) {
            qsort (samples->values, (size_t) samples->count, sizeof (double),
                   bench_compare_double);
            if (runs) {
                *runs = samples->count;
            }
            int mid = samples->count / 2;
            return samples->count % 2? samples->values [mid]
                 : (samples->values [mid - 1] + samples->values [mid]) / 2;
        }
    }
    return NAN;
}

//  The most runs any bench has: what the table's medians are "of".
static inline int
bench_most_runs (const bench_table_t *table)
{
    int most = 0;
    for (int index = 0; index < table->count; index++) {
        if (table->samples [index].count > most) {
            most = table->samples [index].count;
        }
    }
    return most;
}

//  Under the table: which benches missed runs, so a median of fewer runs
//  is not read as one of all.
static inline void
bench_print_missing (const bench_table_t *table, int most)
{
    for (int index = 0; index < table->count; index++) {
        if (table->samples [index].count < most) {
            printf ("note: %s has %d of %d runs (a run failed)\n",
                    table->samples [index].name, table->samples [index].count, most);
        }
    }
}

//  Read the RESULT lines of a file ("-" for stdin) into the table. Other
//  lines are skipped: bench/run's files may hold anything a run printed.
//  Returns 0, or -1 (said on stderr, as program) if the file is unreadable.
static inline int
bench_load (bench_table_t *table, const char *program, const char *path)
{
    FILE *file = strcmp (path, "-")? fopen (path, "r"): stdin;
    if (!file) {
        fprintf (stderr, "%s: cannot read %s: %s\n", program, path, strerror (errno));
        return -1;
    }
    char line [1024];
    while (fgets (line, sizeof line, file)) {
        if (strncmp (line, "RESULT\t", 7)) {
            continue;
        }
        char *fields [6];
        int count = 0;
        char *cursor = line, *field;
        while (count < 6 && (field = strsep (&cursor, "\t\n"))) {
            fields [count++] = field;
        }
        if (count == 6 && *fields [5]) {
            bench_record (table, fields [1], strtod (fields [5], NULL));
        }
    }
    if (file != stdin) {
        fclose (file);
    }
    return 0;
}

//  The --table mode: argv [2..] are files of RESULT lines, none means
//  stdin. Returns 0, or -1 if a file was unreadable.
static inline int
bench_load_args (bench_table_t *table, const char *program, int argc, char *argv [])
{
    for (int arg = 2; arg < argc; arg++) {
        if (bench_load (table, program, argv [arg])) {
            return -1;
        }
    }
    if (argc == 2) {
        bench_load (table, program, "-");
    }
    return 0;
}

//  value / scale with its unit, or "n/a" if missing, into buffer; small
//  is the format (a double, then the unit) for values under 10, where
//  each program wants its own precision.
static inline const char *
bench_show (char *buffer, size_t size, double value, double scale, const char *unit,
            const char *small)
{
    if (isnan (value)) {
        snprintf (buffer, size, "n/a");
    }
    else {
        double shown = value / scale;
        snprintf (buffer, size, shown >= 100? "%.0f %s": shown >= 10? "%.1f %s": small,
                  shown, unit);
    }
    return buffer;
}

//  The "met?" cell: "n/a" when a figure is missing, else yes or NO.
static inline const char *
bench_met (bool known, bool met)
{
    return !known? "n/a": met? "yes": "NO";
}

#endif
