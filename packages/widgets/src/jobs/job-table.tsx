/**
 * `JobTable`: the user's Slurm jobs in JupyterLab's sortable table, with a search box, one colour per
 * state group, and a clear message in place of the rows when Slurm cannot be reached.
 *
 * @example
 * const table = new JobTable();
 * table.selected.connect((_, id) => view.show(id));
 * table.setJobs(await service.list());
 */
import { FilterBox, ReactWidget, Table } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import type { SlurmJob } from '@mdlma/kernel/protocol';
import * as React from 'react';

import { JobSortKey, compareJobs, elapsedSeconds, filterJobs, formatElapsed, stateGroup } from './job-list';

/** What the table shows instead of rows when the list could not be read. */
export interface JobTableProblem {
  /** The CLI's error type (`SlurmUnavailableError` when Slurm is missing or its controller is down). */
  type: string;
  message: string;
}

/** The job table. */
export class JobTable extends ReactWidget {
  constructor() {
    super();
    this.addClass('mdlma-JobTable');
  }

  /** Emitted with a job's id when the user clicks its row. */
  get selected(): ISignal<this, string> {
    return this._selected;
  }

  /** The jobs as last set. */
  get jobs(): readonly SlurmJob[] {
    return this._jobs;
  }

  /** The jobs shown under the current search. */
  get visibleJobs(): SlurmJob[] {
    return filterJobs(this._jobs, this._query);
  }

  /** Shows a new job list (and clears a shown problem). */
  setJobs(jobs: readonly SlurmJob[]): void {
    this._jobs = jobs;
    this._problem = null;
    this._loaded = true;
    this.update();
  }

  /** Shows why the jobs could not be listed, in place of the rows. */
  setProblem(problem: JobTableProblem | null): void {
    this._problem = problem;
    this.update();
  }

  /** Marks the row of job `id` as selected. */
  select(id: string | null): void {
    this._selectedId = id;
    this.update();
  }

  /** Filters the rows by a search query (what typing in the search box does). */
  search(query: string): void {
    this._query = query;
    this.update();
  }

  protected render(): React.ReactElement {
    const problem = this._problem;
    return (
      <div className="mdlma-JobTable-body">
        <FilterBox
          placeholder="Search jobs (id, name, state, node…)"
          updateFilter={this._updateFilter}
          useFuzzyFilter={false}
          initialQuery={this._query}
        />
        {problem ? (
          <div className="mdlma-JobTable-problem" data-type={problem.type} role="alert">
            <strong>{problem.type === 'SlurmUnavailableError' ? 'Slurm is not available' : 'The jobs could not be listed'}</strong>
            <p>{problem.message}</p>
          </div>
        ) : (
          <Table<SlurmJob>
            rows={this.visibleJobs.map(job => ({ key: job.id, data: job }))}
            columns={Private.columns(this._selectedId)}
            sortKey="id"
            sortDirection={-1}
            onRowClick={this._onRowClick}
            blankIndicator={() => (this._loaded ? 'No jobs' : 'Loading jobs…')}
          />
        )}
      </div>
    );
  }

  private _updateFilter = (_: unknown, query?: string) => {
    if ((query ?? '') !== this._query) {
      this.search(query ?? '');
    }
  };

  private _onRowClick = (event: React.MouseEvent<HTMLTableRowElement>) => {
    const id = event.currentTarget.dataset.key;
    if (id) {
      this.select(id);
      this._selected.emit(id);
    }
  };

  private _jobs: readonly SlurmJob[] = [];
  private _query = '';
  private _problem: JobTableProblem | null = null;
  private _selectedId: string | null = null;
  private _loaded = false;
  private _selected = new Signal<this, string>(this);
}

/** A job's state as a coloured badge (`data-group` selects the colour). */
export function StateBadge(props: { state: string }): React.ReactElement {
  return (
    <span className="mdlma-JobState" data-group={stateGroup(props.state)}>
      {props.state}
    </span>
  );
}

namespace Private {
  /** The table's columns; the selected job's id cell is marked. */
  export function columns(selectedId: string | null): Table.IColumn<SlurmJob>[] {
    const column = (id: JobSortKey, label: string, cell: (job: SlurmJob) => React.ReactNode): Table.IColumn<SlurmJob> => ({
      id,
      label,
      renderCell: cell,
      sort: (a, b) => compareJobs(a, b, id)
    });
    return [
      column('id', 'ID', job => (
        <span className="mdlma-JobTable-id" data-selected={job.id === selectedId ? 'true' : undefined}>
          {job.id}
        </span>
      )),
      column('name', 'Name', job => job.name),
      column('state', 'State', job => (
        <>
          <StateBadge state={job.state} />
          {job.reason && job.reason !== 'None' ? <span className="mdlma-JobTable-reason"> {job.reason}</span> : null}
        </>
      )),
      column('elapsed', 'Time', job => formatElapsed(elapsedSeconds(job))),
      column('nodes', 'Nodes', job => job.nodes),
      column('submitted', 'Submitted', job => (job.submitTime ? new Date(job.submitTime).toLocaleString() : ''))
    ];
  }
}
