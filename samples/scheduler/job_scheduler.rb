# Lesson: what a large program looks like to calm (about 150 rules).
#
# A batch job service: clients submit jobs to a coordinator, which keeps a
# replicated queue, elects a leader among coordinators, tracks worker
# membership by heartbeats, assigns jobs to the least loaded live worker,
# retries jobs whose worker died, enforces per-user quotas and reports
# statistics. Workers run tasks and stream progress and results back.
#
# It is written to exercise the diagrams and the HTML report at scale (see
# docs/diagrams.md): fourteen modules, channels between coordinators and
# workers, several temporal clusters (the queue's pending/assigned state, the
# leader's ballot state, the worker's running set, the retry counters) and
# points of order all over: counts, argmin/argmax, notin, deletions.
# No inline expectations: the golden report under tests/golden/samples/
# records what calm finds.
require 'rubygems'
require 'bud'

module JobProtocol
  state do
    interface input, :submit, [:job_id] => [:user, :command, :priority]
    interface input, :cancel, [:job_id]
    interface output, :job_status, [:job_id] => [:state, :worker]
    interface output, :job_result, [:job_id] => [:output, :exit_code]
    channel :task_chan, [:@worker, :coordinator, :job_id] => [:command, :attempt]
    channel :abort_chan, [:@worker, :coordinator, :job_id]
    channel :progress_chan, [:@coordinator, :worker, :job_id] => [:percent]
    channel :result_chan, [:@coordinator, :worker, :job_id] => [:output, :exit_code, :attempt]
    channel :heartbeat_chan, [:@coordinator, :worker] => [:load, :slots]
  end
end

module Membership
  include JobProtocol

  state do
    interface input, :add_worker, [:worker]
    interface input, :drain_worker, [:worker]
    interface output, :worker_down, [:worker]
    table :workers, [:worker]
    table :draining, [:worker]
    table :last_beat, [:worker] => [:tick]
    table :beat_log, [:worker, :tick] => [:load, :slots]
    scratch :beat_now, [:worker] => [:load, :slots]
    scratch :latest_beat, [:worker] => [:tick]
    scratch :stale, [:worker]
    scratch :live_workers, [:worker]
    scratch :worker_load, [:worker] => [:load, :slots]
    scratch :schedulable, [:worker] => [:load, :slots]
    table :clock, [] => [:tick]
    periodic :beat_timer, 1
  end

  bloom :join_and_leave do
    workers <= add_worker
    draining <= drain_worker
    workers <= heartbeat_chan { |h| [h.worker] }
  end

  bloom :heartbeats do
    clock <+- beat_timer { |t| [t.val.to_i] }
    beat_now <= heartbeat_chan { |h| [h.worker, h.load, h.slots] }
    beat_log <= (beat_now * clock).pairs { |b, c| [b.worker, c.tick, b.load, b.slots] }
    latest_beat <= beat_log.group([:worker], max(:tick))
    last_beat <+- latest_beat
    last_beat <- (last_beat * stale).lefts(:worker => :worker)
  end

  bloom :failure_detector do
    stale <= (last_beat * clock).pairs { |l, c| [l.worker] if c.tick - l.tick > 5 }
    live_workers <= workers.notin(stale, :worker => :worker)
    worker_down <= stale
    worker_load <= (beat_log * latest_beat).pairs(:worker => :worker, :tick => :tick) { |b, l| [b.worker, b.load, b.slots] }
    schedulable <= worker_load.notin(draining, :worker => :worker)
    workers <- (workers * stale).lefts(:worker => :worker)
  end
end

module LeaderElection
  state do
    interface input, :join_coordinators, [:peer]
    interface output, :leader_changed, [] => [:leader, :ballot]
    channel :ballot_chan, [:@peer, :sender] => [:ballot]
    channel :ballot_ack, [:@peer, :sender] => [:ballot]
    table :coordinators, [:peer]
    table :my_ballot, [] => [:ballot]
    table :ballots_seen, [:sender, :ballot]
    table :acks, [:sender, :ballot]
    table :leader, [] => [:peer, :ballot]
    scratch :best_ballot, [] => [:sender, :ballot]
    scratch :ack_count, [:ballot] => [:cnt]
    scratch :quorum_size, [] => [:cnt]
    scratch :won, [] => [:ballot]
    scratch :new_leader, [] => [:peer, :ballot]
    periodic :election_timer, 3
  end

  bloom :campaign do
    coordinators <= join_coordinators
    my_ballot <+- (election_timer * my_ballot).pairs { |t, b| [b.ballot + 1] }
    ballot_chan <~ (coordinators * my_ballot).pairs { |c, b| [c.peer, ip_port, b.ballot] }
    ballots_seen <= ballot_chan { |b| [b.sender, b.ballot] }
    best_ballot <= ballots_seen.argmax([], :ballot)
    ballot_ack <~ best_ballot { |b| [b.sender, ip_port, b.ballot] }
  end

  bloom :count_acks do
    acks <= ballot_ack { |a| [a.sender, a.ballot] }
    ack_count <= acks.group([:ballot], count)
    quorum_size <= coordinators.group(nil, count)
    won <= (ack_count * quorum_size * my_ballot).combos { |a, q, m| [a.ballot] if a.ballot == m.ballot and a.cnt > q.cnt / 2 }
    new_leader <= won { |w| [ip_port, w.ballot] }
    new_leader <= best_ballot { |b| [b.sender, b.ballot] }
    leader <+- new_leader.argmax([], :ballot)
    acks <- (acks * won).lefts
    leader_changed <= leader.notin(new_leader, :peer => :peer)
  end
end

module Quota
  include JobProtocol

  state do
    interface input, :set_quota, [:user] => [:limit]
    interface output, :rejected, [:job_id] => [:reason]
    table :quotas, [:user] => [:limit]
    table :usage_log, [:job_id] => [:user]
    scratch :usage, [:user] => [:jobs]
    scratch :over_quota, [:user]
    scratch :admitted, [:job_id] => [:user, :command, :priority]
    scratch :malformed, [:job_id]
  end

  bloom :admission do
    quotas <+- set_quota
    usage <= usage_log.group([:user], count(:job_id))
    over_quota <= (usage * quotas).pairs(:user => :user) { |u, q| [u.user] if u.jobs >= q.limit }
    malformed <= submit { |s| [s.job_id] if s.command.nil? or s.command.empty? }
    admitted <= submit.notin(over_quota, :user => :user)
    admitted <- (admitted * malformed).lefts(:job_id => :job_id)
    usage_log <= admitted { |a| [a.job_id, a.user] }
    rejected <= (submit * over_quota).pairs(:user => :user) { |s, o| [s.job_id, "over quota"] }
    rejected <= malformed { |m| [m.job_id, "malformed"] }
  end
end

module JobQueue
  include Quota

  state do
    table :jobs, [:job_id] => [:user, :command, :priority]
    table :cancelled, [:job_id]
    table :assigned, [:job_id] => [:worker, :attempt]
    table :finished, [:job_id] => [:exit_code]
    scratch :pending, [:job_id] => [:user, :command, :priority]
    scratch :runnable, [:job_id] => [:user, :command, :priority]
    scratch :top_priority, [] => [:priority]
    scratch :next_jobs, [:job_id] => [:user, :command, :priority]
    scratch :queue_length, [] => [:cnt]
    scratch :to_abort, [:job_id] => [:worker]
  end

  bloom :enqueue do
    jobs <= admitted
    cancelled <= cancel
    pending <= jobs.notin(assigned, :job_id => :job_id)
    runnable <= pending.notin(cancelled, :job_id => :job_id)
    runnable <- (runnable * finished).lefts(:job_id => :job_id)
    top_priority <= runnable.group(nil, max(:priority))
    next_jobs <= (runnable * top_priority).pairs(:priority => :priority)
    queue_length <= runnable.group(nil, count)
  end

  bloom :dequeue do
    to_abort <= (assigned * cancelled).pairs(:job_id => :job_id) { |a, c| [a.job_id, a.worker] }
    assigned <- (assigned * cancelled).lefts(:job_id => :job_id)
    jobs <- (jobs * finished).lefts(:job_id => :job_id)
    abort_chan <~ to_abort { |t| [t.worker, ip_port, t.job_id] }
  end
end

module Scheduler
  include JobQueue
  include Membership

  state do
    scratch :idle, [:worker] => [:load, :slots]
    scratch :least_loaded, [] => [:worker, :load]
    scratch :busy_count, [:worker] => [:cnt]
    scratch :has_capacity, [:worker] => [:free]
    scratch :placement, [:job_id] => [:worker]
    scratch :dispatch, [:job_id] => [:worker, :command, :attempt]
    table :attempts, [:job_id] => [:attempt]
    scratch :first_attempt, [:job_id]
  end

  bloom :place do
    busy_count <= assigned.group([:worker], count)
    has_capacity <= (schedulable * busy_count).outer(:worker => :worker) { |s, b| [s.worker, s.slots - (b.cnt || 0)] }
    idle <= (schedulable * has_capacity).pairs(:worker => :worker) { |s, h| [s.worker, s.load, s.slots] if h.free > 0 }
    least_loaded <= idle.argmin([], :load)
    placement <= (next_jobs * least_loaded).pairs { |j, l| [j.job_id, l.worker] }
    first_attempt <= placement.notin(attempts, :job_id => :job_id)
    attempts <+ first_attempt { |f| [f.job_id, 1] }
    dispatch <= (placement * jobs * attempts).combos(placement.job_id => jobs.job_id, placement.job_id => attempts.job_id) { |p, j, a| [p.job_id, p.worker, j.command, a.attempt] }
    assigned <+ dispatch { |d| [d.job_id, d.worker, d.attempt] }
    task_chan <~ dispatch { |d| [d.worker, ip_port, d.job_id, d.command, d.attempt] }
  end
end

module RetryPolicy
  include Scheduler

  state do
    interface input, :set_max_attempts, [] => [:limit]
    table :max_attempts, [] => [:limit]
    table :lost, [:job_id] => [:worker, :attempt]
    scratch :orphaned, [:job_id] => [:worker, :attempt]
    scratch :retry_now, [:job_id] => [:attempt]
    scratch :gave_up, [:job_id]
    scratch :lost_count, [:worker] => [:cnt]
    interface output, :job_failed, [:job_id] => [:attempts]
  end

  bloom :detect_lost do
    max_attempts <+- set_max_attempts
    orphaned <= (assigned * stale).pairs(:worker => :worker) { |a, s| [a.job_id, a.worker, a.attempt] }
    lost <= orphaned
    lost_count <= lost.group([:worker], count)
    assigned <- (assigned * orphaned).lefts(:job_id => :job_id)
  end

  bloom :retry do
    retry_now <= (lost * max_attempts).pairs { |l, m| [l.job_id, l.attempt + 1] if l.attempt < m.limit }
    gave_up <= (lost * max_attempts).pairs { |l, m| [l.job_id] if l.attempt >= m.limit }
    attempts <+- retry_now
    lost <- (lost * retry_now).lefts(:job_id => :job_id)
    job_failed <= (gave_up * attempts).pairs(:job_id => :job_id) { |g, a| [g.job_id, a.attempt] }
    finished <+ gave_up { |g| [g.job_id, -1] }
  end
end

module ResultStore
  include RetryPolicy

  state do
    table :results, [:job_id] => [:output, :exit_code, :attempt]
    table :progress, [:job_id] => [:percent]
    scratch :fresh_result, [:job_id] => [:output, :exit_code, :attempt]
    scratch :late_result, [:job_id] => [:attempt]
    scratch :current_progress, [:job_id] => [:percent]
    scratch :status_now, [:job_id] => [:state, :worker]
  end

  bloom :collect do
    fresh_result <= result_chan { |r| [r.job_id, r.output, r.exit_code, r.attempt] }
    late_result <= (fresh_result * attempts).pairs(:job_id => :job_id) { |f, a| [f.job_id, f.attempt] if f.attempt < a.attempt }
    results <= fresh_result.notin(late_result, :job_id => :job_id)
    finished <+ results { |r| [r.job_id, r.exit_code] }
    assigned <- (assigned * results).lefts(:job_id => :job_id)
    current_progress <= progress_chan { |p| [p.job_id, p.percent] }
    progress <+- current_progress.argmax([:job_id], :percent)
    job_result <= results { |r| [r.job_id, r.output, r.exit_code] }
  end

  bloom :status do
    status_now <= pending { |p| [p.job_id, "queued", nil] }
    status_now <= assigned { |a| [a.job_id, "running", a.worker] }
    status_now <= finished { |f| [f.job_id, f.exit_code == 0 ? "done" : "failed", nil] }
    status_now <= cancelled { |c| [c.job_id, "cancelled", nil] }
    job_status <= status_now.argmax([:job_id], :state)
  end
end

module Worker
  include JobProtocol

  state do
    interface input, :set_slots, [] => [:slots]
    interface output, :task_log, [:job_id] => [:line]
    table :slots, [] => [:slots]
    table :running, [:job_id] => [:coordinator, :command, :attempt]
    table :done_tasks, [:job_id] => [:attempt]
    table :my_coordinators, [:coordinator]
    scratch :incoming, [:job_id] => [:coordinator, :command, :attempt]
    scratch :accepted, [:job_id] => [:coordinator, :command, :attempt]
    scratch :running_count, [] => [:cnt]
    scratch :completed, [:job_id] => [:output, :exit_code]
    scratch :aborted, [:job_id]
    periodic :work_timer, 1
    periodic :report_timer, 2
  end

  bloom :accept do
    incoming <= task_chan { |t| [t.job_id, t.coordinator, t.command, t.attempt] }
    my_coordinators <= task_chan { |t| [t.coordinator] }
    running_count <= running.group(nil, count)
    accepted <= (incoming * slots * running_count).combos { |i, s, r| [i.job_id, i.coordinator, i.command, i.attempt] if r.cnt < s.slots }
    accepted <= (incoming * slots).pairs { |i, s| [i.job_id, i.coordinator, i.command, i.attempt] unless running.exists? }
    running <+ accepted.notin(done_tasks, :job_id => :job_id)
    slots <+- set_slots
  end

  bloom :execute do
    completed <= (running * work_timer).pairs { |r, t| [r.job_id, "ok", 0] }
    aborted <= abort_chan { |a| [a.job_id] }
    done_tasks <+ completed { |c| [c.job_id, 1] }
    running <- (running * completed).lefts(:job_id => :job_id)
    running <- (running * aborted).lefts(:job_id => :job_id)
    task_log <= completed { |c| [c.job_id, c.output] }
    task_log <= aborted { |a| [a.job_id, "aborted"] }
  end

  bloom :report do
    result_chan <~ (running * completed).pairs(:job_id => :job_id) { |r, c| [r.coordinator, ip_port, c.job_id, c.output, c.exit_code, r.attempt] }
    progress_chan <~ (running * report_timer).pairs { |r, t| [r.coordinator, ip_port, r.job_id, 50] }
    heartbeat_chan <~ (my_coordinators * running_count * slots).combos { |c, r, s| [c.coordinator, ip_port, r.cnt, s.slots] }
  end
end

module Statistics
  include ResultStore

  state do
    interface output, :stats, [:name] => [:value]
    interface output, :user_report, [:user] => [:finished, :failed]
    scratch :done_count, [] => [:cnt]
    scratch :failed_count, [] => [:cnt]
    scratch :per_user_done, [:user] => [:cnt]
    scratch :per_user_failed, [:user] => [:cnt]
    scratch :failed_jobs, [:job_id]
    scratch :worker_count, [] => [:cnt]
    scratch :slowest_worker, [] => [:worker, :cnt]
  end

  bloom :summarize do
    done_count <= finished.group(nil, count)
    failed_jobs <= finished { |f| [f.job_id] if f.exit_code != 0 }
    failed_count <= failed_jobs.group(nil, count)
    per_user_done <= (finished * jobs).pairs(:job_id => :job_id) { |f, j| [j.user, f.job_id] }.group([0], count)
    per_user_failed <= (failed_jobs * jobs).pairs(:job_id => :job_id) { |f, j| [j.user, f.job_id] }.group([0], count)
    worker_count <= live_workers.group(nil, count)
    slowest_worker <= lost_count.argmax([], :cnt)
    stats <= done_count { |d| ["done", d.cnt] }
    stats <= failed_count { |f| ["failed", f.cnt] }
    stats <= queue_length { |q| ["queued", q.cnt] }
    stats <= worker_count { |w| ["workers", w.cnt] }
    stats <= slowest_worker { |s| ["most lost: " + s.worker.to_s, s.cnt] }
    user_report <= (per_user_done * per_user_failed).outer(:user => :user) { |d, f| [d.user, d.cnt, f.cnt || 0] }
  end
end

module QueueReplication
  include JobQueue

  state do
    interface input, :add_replica, [:peer]
    interface output, :replica_lag, [:peer] => [:behind]
    channel :repl_chan, [:@peer, :sender, :job_id] => [:user, :command, :priority]
    channel :repl_ack_chan, [:@sender, :peer, :job_id]
    channel :repl_cancel_chan, [:@peer, :sender, :job_id]
    table :replicas, [:peer]
    table :replicated, [:job_id, :peer]
    table :unacked, [:job_id, :peer]
    scratch :to_replicate, [:job_id, :peer]
    scratch :ack_in, [:job_id, :peer]
    scratch :acked_count, [:job_id] => [:cnt]
    scratch :replica_count, [] => [:cnt]
    scratch :durable, [:job_id]
    scratch :lag, [:peer] => [:behind]
    periodic :resend_timer, 2
  end

  bloom :replicate do
    replicas <= add_replica
    to_replicate <= (jobs * replicas).pairs { |j, r| [j.job_id, r.peer] }
    unacked <= to_replicate.notin(replicated, :job_id => :job_id, :peer => :peer)
    repl_chan <~ (unacked * jobs * resend_timer).combos(unacked.job_id => jobs.job_id) { |u, j, t| [u.peer, ip_port, j.job_id, j.user, j.command, j.priority] }
    jobs <= repl_chan { |r| [r.job_id, r.user, r.command, r.priority] }
    repl_ack_chan <~ repl_chan { |r| [r.sender, ip_port, r.job_id] }
    repl_cancel_chan <~ (cancelled * replicas).pairs { |c, r| [r.peer, ip_port, c.job_id] }
    cancelled <= repl_cancel_chan { |c| [c.job_id] }
  end

  bloom :acknowledge do
    ack_in <= repl_ack_chan { |a| [a.job_id, a.peer] }
    replicated <= ack_in
    unacked <- (unacked * ack_in).lefts(:job_id => :job_id, :peer => :peer)
    acked_count <= replicated.group([:job_id], count)
    replica_count <= replicas.group(nil, count)
    durable <= (acked_count * replica_count).pairs { |a, r| [a.job_id] if a.cnt >= r.cnt }
    lag <= unacked.group([:peer], count)
    replica_lag <= lag
  end
end

module Billing
  include ResultStore

  state do
    interface input, :set_price, [:user] => [:cents]
    interface output, :invoice, [:user] => [:cents]
    table :prices, [:user] => [:cents]
    table :charged, [:job_id] => [:user, :cents]
    scratch :billable, [:job_id] => [:user]
    scratch :new_charges, [:job_id] => [:user, :cents]
    scratch :totals, [:user] => [:cents]
    scratch :free_jobs, [:job_id]
  end

  bloom :bill do
    prices <+- set_price
    free_jobs <= finished { |f| [f.job_id] if f.exit_code < 0 }
    billable <= (finished * jobs).pairs(:job_id => :job_id) { |f, j| [f.job_id, j.user] }
    billable <- (billable * free_jobs).lefts(:job_id => :job_id)
    new_charges <= (billable * prices).pairs(:user => :user) { |b, p| [b.job_id, b.user, p.cents] }
    charged <= new_charges.notin(charged, :job_id => :job_id)
    totals <= charged.group([:user], sum(:cents))
    invoice <= totals
  end
end

module Notifications
  include Statistics

  state do
    interface input, :subscribe, [:user] => [:address]
    interface output, :email, [:address, :job_id] => [:text]
    table :subscribers, [:user] => [:address]
    table :notified, [:job_id]
    scratch :just_finished, [:job_id] => [:user, :exit_code]
    scratch :to_notify, [:job_id] => [:address, :text]
  end

  bloom :notify do
    subscribers <+- subscribe
    just_finished <= (finished * jobs).pairs(:job_id => :job_id) { |f, j| [f.job_id, j.user, f.exit_code] }
    to_notify <= (just_finished * subscribers).pairs(:user => :user) { |j, s| [j.job_id, s.address, "job finished: " + j.exit_code.to_s] }
    email <= to_notify.notin(notified, :job_id => :job_id) { |t| [t.address, t.job_id, t.text] }
    notified <+ to_notify { |t| [t.job_id] }
    email <= (job_failed * jobs * subscribers).combos(job_failed.job_id => jobs.job_id, jobs.user => subscribers.user) { |f, j, s| [s.address, f.job_id, "job failed after " + f.attempts.to_s + " attempts"] }
  end
end

class JobCoordinator
  include Bud
  include Statistics
  include LeaderElection
  include QueueReplication
  include Billing
  include Notifications

  state do
    scratch :not_leader, [] => [:peer]
    scratch :forwarded, [:job_id] => [:user, :command, :priority]
    channel :forward_chan, [:@peer, :job_id] => [:user, :command, :priority]
    interface output, :redirect, [:job_id] => [:leader]
  end

  bloom :leadership do
    not_leader <= leader { |l| [l.peer] if l.peer != ip_port }
    forwarded <= (submit * not_leader).pairs { |s, n| [s.job_id, s.user, s.command, s.priority] }
    forward_chan <~ (forwarded * leader).pairs { |f, l| [l.peer, f.job_id, f.user, f.command, f.priority] }
    admitted <= forward_chan { |f| [f.job_id, f.user, f.command, f.priority] }
    redirect <= (forwarded * leader).pairs { |f, l| [f.job_id, l.peer] }
    stats <= leader { |l| ["leader ballot", l.ballot] }
  end
end

class JobWorker
  include Bud
  include Worker
end

# Coordinator and worker in one process (a single-node deployment): every module.
class JobServiceNode < JobCoordinator
  include Worker
end
