import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import { cancelCommand } from './commands/cancel.js';
import { controlCommand } from './commands/control.js';
import { demoCommand } from './commands/demo.js';
import { redriveCommand } from './commands/redrive.js';
import { resultsCommand } from './commands/results.js';
import { runCommand } from './commands/run.js';
import * as o from './command-options.js';
import {
  checkedOptions,
  manifestOptionsSchema,
  runOptionsSchema,
  scheduleCreateOptionsSchema,
} from './command-options.js';
import {
  backfillScheduleCommand,
  createScheduleCommand,
  deleteScheduleCommand,
  describeScheduleCommand,
  instant,
  listSchedulesCommand,
  pauseScheduleCommand,
  triggerScheduleCommand,
  unpauseScheduleCommand,
} from './commands/schedule.js';
import { setupCommand } from './commands/setup.js';
import { faultRule, simulateCommand } from './commands/simulate.js';
import { FAULT_KINDS } from '../simulator/types.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { webhooksCommand } from './commands/webhooks.js';
import { workerCommand } from './commands/worker.js';
import * as parse from './options.js';
import { DEFAULT_PAGE_SIZE } from '../shared/constants.js';
import { DEFAULT_WEBHOOK_FALLBACK_MS, DEFAULT_WEBHOOK_PORT } from '../shared/delivery.js';
import { MIN_WINDOW, ROWS_PER_PARTITION } from '../shared/plan.js';
import { OVERLAP_WORDS } from '../schedules/spec.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Options shared by `run` and `validate`: which app, and how manifest columns become its inputs. */
function manifestOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--provider <name>', 'lamina, artu or magnific', parse.provider)
    .requiredOption('--app <id>', "the provider's app (Lamina app id, Artu workflow id, Magnific app id)")
    .option('--key-column <col>', 'column whose values identify rows (unique); default: the row number')
    .addOption(
      new Option('--omit <col>', 'a column that is not an input (repeatable, or comma-separated)')
        .argParser(parse.list)
        .default([], 'none'),
    )
    .addOption(
      new Option('--map <col=input>', 'send a column as the named input (repeatable)')
        .argParser(parse.mapPair)
        .default({}, 'none'),
    )
    .addOption(
      new Option('--format <format>', 'manifest format when the extension does not say').argParser(
        parse.manifestFormat,
      ),
    );
}

/** Options of `run` that shape a batch, shared with `schedule create` (each fire is a batch). */
function batchOptions(cmd: Command): Command {
  return cmd
    .option('--concurrency <n>', 'provider runs in flight at once', parse.positiveInt, 20)
    .option(
      '--out <dir>',
      'copy results.jsonl, results.csv, summary.json and outputs here (a schedule: into <dir>/<batchId>)',
    )
    .option(
      '--max-failures <n|p%>',
      'failed rows tolerated; once exceeded the batch stops (no new rows, in-flight rows cancelled) and exits 1. Without it, any failure makes the exit code 1 but the batch runs on',
      parse.maxFailures,
    )
    .addOption(
      new Option('--on-ambiguous-submit <policy>', 'when a run-start may or may not have reached the provider')
        .choices(['hold', 'resubmit'])
        .default('hold'),
    )
    .option(
      '--storage <folder|s3://bucket/prefix>',
      "where batch data lives: a folder (default: .durabatch next to the manifest) or S3-compatible storage that every worker reaches (AWS SDK's environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3); also DURABATCH_STORAGE",
    )
    .option('--data-dir <dir>', 'a folder for batch data: the same as --storage <dir>')
    .option('--wait-seconds <s>', 'seconds per long-poll request', parse.positiveInt, 60)
    .addOption(
      new Option('--item-timeout <duration>', 'give up waiting on a run after this long (e.g. 90m, 24h)')
        .argParser(parse.duration)
        .default(24 * 3_600_000, '24h'),
    )
    .addOption(
      new Option(
        '--input-deadline <duration>',
        'end a row as needs_input when its run waits for input this long (Artu; default: the item timeout)',
      ).argParser(parse.duration),
    )
    .addOption(
      new Option(
        '--poll-interval <duration>',
        'when rows poll (Magnific by default, or --delivery poll): pause between status reads (default and minimum: 4s for Magnific, 5s for Lamina and Artu)',
      ).argParser(parse.duration),
    )
    .addOption(
      new Option(
        '--delivery <mode>',
        'how rows learn their run finished: wait (long-poll), stream (Lamina SSE), webhook (Lamina, Magnific) or poll (default: wait for Lamina and Artu, poll for Magnific)',
      ).argParser(parse.delivery),
    )
    .option(
      '--webhook-base-url <url>',
      'with --delivery webhook: the receiver as the provider reaches it (a tunnel or ingress); needed unless the run is embedded and the provider is on loopback (the simulator), where the in-process receiver is used',
      parse.baseUrl,
    )
    .addOption(
      new Option(
        '--webhook-fallback-after <duration>',
        `with --delivery webhook: read the run when no webhook came for this long (default: ${DEFAULT_WEBHOOK_FALLBACK_MS / 60_000}m)`,
      ).argParser(parse.duration),
    );
}

/** Tuning: how the rows are split over partition workflows (issue 7's benchmarks; docs/decisions/0003). */
function partitionsOption(): Option {
  return new Option(
    '--partitions <n>',
    `partition workflows the rows are split over (default: one per ${ROWS_PER_PARTITION} rows, as long as each keeps a window of ${MIN_WINDOW} runs; never more than the concurrency)`,
  ).argParser(parse.positiveInt);
}

function pageSizeOption(): Option {
  return new Option(
    '--page-size <n>',
    `rows a partition reads per page; it continues as new after each page (default ${DEFAULT_PAGE_SIZE})`,
  ).argParser(parse.positiveInt);
}

/** The command line of durabatch (README.md, "Commands"). Actions return exit codes; index.ts exits. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('durabatch')
    .description('Run large batches of paid AI-generation jobs durably on Temporal.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    // Before any subcommand is added, so that each inherits it: index.ts decides every exit code.
    .exitOverride();

  batchOptions(
    manifestOptions(
      program.command('run <manifest>').description('submit every row of a manifest and wait for the results'),
    ),
  )
    .option('--batch-id <id>', 'batch id (default: derived from the manifest content, provider and app)')
    .option('--detach', 'start the batch and print its id without waiting (needs TEMPORAL_ADDRESS and a worker)')
    .option(
      '--webhook-port <port>',
      'with --delivery webhook in embedded mode: port of the in-process receiver',
      parse.port,
      DEFAULT_WEBHOOK_PORT,
    )
    .addOption(partitionsOption())
    .addOption(pageSizeOption())
    .action(async (manifest: string, opts: unknown) =>
      setExitCode(await runCommand(manifest, checkedOptions('run', runOptionsSchema, opts))),
    );

  manifestOptions(
    program.command('validate <manifest>').description('check every row (and the app parameters) without spending'),
  ).action(async (manifest: string, opts: unknown) =>
    setExitCode(await validateCommand(manifest, checkedOptions('validate', manifestOptionsSchema, opts))),
  );

  program
    .command('status <batchId>')
    .description('counts by status, and where the results are')
    .option('--json', 'machine-readable output')
    .action(async (batchId: string, opts: unknown) =>
      setExitCode(await statusCommand(batchId, checkedOptions('status', o.statusOptionsSchema, opts))),
    );

  program
    .command('results <batchId>')
    .description('print or copy the results file of a finished batch')
    .addOption(new Option('--format <format>', 'results format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file|dir>', 'write to this file instead of standard output (with --outputs: into this folder)')
    .option(
      '--outputs',
      'with --out DIR: fetch results.jsonl, results.csv, summary.json and every output file into DIR (from any machine with the storage credentials)',
    )
    .action(async (batchId: string, opts: unknown) =>
      setExitCode(await resultsCommand(batchId, checkedOptions('results', o.resultsOptionsSchema, opts))),
    );

  program
    .command('cancel <batchId>')
    .description('stop a running batch: no new rows, rows in flight cancelled (with their provider runs)')
    .action(async (batchId: string) => setExitCode(await cancelCommand(batchId)));

  program
    .command('pause <batchId>')
    .description('pause a running batch: rows in flight finish, no new row starts until resume')
    .option('--reason <text>', 'shown in the Web UI and status while paused')
    .action(async (batchId: string, raw: unknown) => {
      const opts = checkedOptions('pause', o.pauseOptionsSchema, raw);
      setExitCode(
        await controlCommand(batchId, { kind: 'pause', ...(opts.reason !== undefined ? { reason: opts.reason } : {}) }),
      );
    });

  program
    .command('resume <batchId>')
    .description('resume a paused batch')
    .action(async (batchId: string) => setExitCode(await controlCommand(batchId, { kind: 'resume' })));

  program
    .command('set-concurrency')
    .description('change how many provider runs a running batch keeps in flight (at least its partition count)')
    .argument('<batchId>')
    .argument('<n>', 'provider runs in flight at once', parse.positiveInt)
    .action(async (batchId: string, n: number) =>
      setExitCode(await controlCommand(batchId, { kind: 'set-concurrency', concurrency: n })),
    );

  program
    .command('redrive <batchId>')
    .description(
      'run again the failed rows (--failed, the default) and/or the submit_unknown rows (--unknown) of a finished batch; results are merged into the same files',
    )
    .option('--failed', 'rows whose result is failed')
    .option(
      '--unknown',
      'rows whose result is submit_unknown (may pay again for a run the provider did create: check it first)',
    )
    .action(async (batchId: string, opts: unknown) =>
      setExitCode(await redriveCommand(batchId, checkedOptions('redrive', o.redriveOptionsSchema, opts))),
    );

  program
    .command('worker')
    .description('run a worker (holds the provider keys) against TEMPORAL_ADDRESS, or the embedded dev server')
    .option('--task-queue <queue>', 'task queue to poll (default durabatch, or DURABATCH_TASK_QUEUE)')
    .action(async (opts: unknown) =>
      setExitCode(await workerCommand(checkedOptions('worker', o.workerOptionsSchema, opts))),
    );

  program
    .command('webhooks')
    .description(
      'run the webhook receiver for --delivery webhook against TEMPORAL_ADDRESS (verifies provider webhooks, wakes their rows with a Temporal Update)',
    )
    .option('--port <port>', 'port to listen on', parse.port, DEFAULT_WEBHOOK_PORT)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .action(async (opts: unknown) =>
      setExitCode(await webhooksCommand(checkedOptions('webhooks', o.webhooksOptionsSchema, opts))),
    );

  program
    .command('setup')
    .description(
      'register the DurabatchBatchId, DurabatchProvider and DurabatchItemStatus search attributes on TEMPORAL_ADDRESS',
    )
    .action(async () => setExitCode(await setupCommand()));

  program
    .command('simulate')
    .description(
      'serve the provider simulator (Lamina, Artu and Magnific APIs) for trying durabatch without an account',
    )
    .option('--port <port>', 'port (0 = any free port)', Number, 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <n>', 'seed for every random choice', Number)
    .option('--run-duration <ms|min-max>', 'how long each run takes, e.g. 2000 or 1500-2500')
    .option('--failure-rate <share>', 'share of runs that fail (0..1)', Number)
    .option('--asset-ttl <duration>', 'lifetime of signed output URLs', parse.duration)
    .option('--max-wait <duration>', 'cap on how long /wait blocks', parse.duration)
    .option(
      '--fault <kind:rate[:endpoints]>',
      `inject a fault, e.g. 429:0.05 or reset:0.02:lamina.start (repeatable; kinds: ${FAULT_KINDS.join(', ')})`,
      faultRule,
      [],
    )
    .option('--api-key <key>', 'the only Lamina API key accepted (default: any key starting with lma_)')
    .option(
      '--config <file>',
      'JSON file of simulator settings, the shape POST /_sim/config takes (stream, webhooks, faults, apps …)',
    )
    .action(async (opts: unknown) =>
      setExitCode(await simulateCommand(checkedOptions('simulate', o.simulateOptionsSchema, opts))),
    );

  program
    .command('demo')
    .description('simulator + embedded Temporal + worker: run the sample manifest end to end')
    .option('--out <dir>', 'where results and images go', 'demo-results')
    .option('--concurrency <n>', 'provider runs in flight at once', parse.positiveInt, 8)
    .action(async (opts: unknown) => setExitCode(await demoCommand(checkedOptions('demo', o.demoOptionsSchema, opts))));

  const schedule = program
    .command('schedule')
    .description('recurring batches on a Temporal schedule: each fire reads the manifest then and runs it as a batch');

  batchOptions(
    manifestOptions(
      schedule
        .command('create <name>')
        .description(
          'create a schedule; fires need a running `durabatch worker` (which, without TEMPORAL_ADDRESS, also runs the dev server)',
        ),
    ),
  )
    .requiredOption('--manifest <path|url>', 'a path the workers can read, or an http(s) URL fetched at each fire')
    .option('--cron <expr>', 'when to fire, as a cron expression (UTC), e.g. "0 2 * * *"')
    .addOption(new Option('--every <duration>', 'fire at this interval, e.g. 6h').argParser(parse.duration))
    .addOption(
      new Option('--overlap <policy>', 'when a fire comes while the previous batch still runs')
        .choices(OVERLAP_WORDS)
        .default('skip'),
    )
    .addOption(
      new Option(
        '--catchup-window <duration>',
        "fires missed while Temporal was down are taken if this late at most (default: Temporal's, 1 year)",
      ).argParser(parse.duration),
    )
    .option('--pause-on-failure', 'pause the schedule when a fire fails (failures over --max-failures, any without it)')
    .addOption(partitionsOption())
    .addOption(pageSizeOption())
    .action(async (name: string, opts: unknown) =>
      setExitCode(
        await createScheduleCommand(name, checkedOptions('schedule create', scheduleCreateOptionsSchema, opts)),
      ),
    );

  schedule
    .command('list')
    .description("durabatch's schedules: name, when, next fire, manifest")
    .option('--json', 'machine-readable output')
    .action(async (opts: unknown) =>
      setExitCode(await listSchedulesCommand(checkedOptions('schedule list', o.statusOptionsSchema, opts))),
    );

  schedule
    .command('describe <name>')
    .description('state, next fires, and recent fires with their batch ids and outcomes')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: unknown) =>
      setExitCode(
        await describeScheduleCommand(name, checkedOptions('schedule describe', o.statusOptionsSchema, opts)),
      ),
    );

  schedule
    .command('pause <name>')
    .description('stop firing (running batches go on)')
    .option('--note <text>', 'why, shown by describe')
    .action(async (name: string, opts: unknown) =>
      setExitCode(
        await pauseScheduleCommand(name, checkedOptions('schedule pause', o.scheduleNoteOptionsSchema, opts)),
      ),
    );

  schedule
    .command('unpause <name>')
    .description('fire again')
    .option('--note <text>', 'why, shown by describe')
    .action(async (name: string, opts: unknown) =>
      setExitCode(
        await unpauseScheduleCommand(name, checkedOptions('schedule unpause', o.scheduleNoteOptionsSchema, opts)),
      ),
    );

  schedule
    .command('trigger <name>')
    .description('fire now')
    .addOption(
      new Option('--overlap <policy>', "override the schedule's overlap policy for this fire").choices(OVERLAP_WORDS),
    )
    .action(async (name: string, opts: unknown) =>
      setExitCode(
        await triggerScheduleCommand(name, checkedOptions('schedule trigger', o.scheduleTriggerOptionsSchema, opts)),
      ),
    );

  schedule
    .command('backfill <name>')
    .description('take the fires the schedule would have taken between two times')
    .requiredOption('--from <time>', 'start, e.g. 2026-11-01T00:00:00Z', instant)
    .requiredOption('--to <time>', 'end', instant)
    .addOption(
      new Option('--overlap <policy>', 'how the backfilled fires overlap').choices(OVERLAP_WORDS).default('buffer-all'),
    )
    .action(async (name: string, opts: unknown) =>
      setExitCode(
        await backfillScheduleCommand(name, checkedOptions('schedule backfill', o.scheduleBackfillOptionsSchema, opts)),
      ),
    );

  schedule
    .command('delete <name>')
    .description('delete the schedule (batches it started keep running and keep their results)')
    .action(async (name: string) => setExitCode(await deleteScheduleCommand(name)));

  return program;
}
