#lang syndicate
;; A lease-based mutex. Workers assert a request; the mutex grants the lease to one of
;; them by overwriting its `holder` field, and takes it back when the request is
;; withdrawn or when the lease's timer expires.
; expect: temporal-cluster mutex.holder, set-timer, timer-expired

(require syndicate/drivers/timer)

(assertion-struct lease-request (who))
(assertion-struct lease (who))
(assertion-struct working (who))

(define lease-msecs 1000)

(spawn #:name 'mutex
  (field [holder #f])
  (assert (lease (holder)) #:when (holder)) ; expect: point-of-order mutex.holder -> lease
  (on (asserted (lease-request $who))
      (unless (holder)
        (holder who)                        ; expect: point-of-order lease-request -> mutex.holder; point-of-order mutex.holder -> mutex.holder
        (send! (set-timer 'lease lease-msecs 'relative)))) ; expect: point-of-order lease-request -> set-timer; point-of-order mutex.holder -> set-timer
  (on (message (timer-expired 'lease _))
      (holder #f))                          ; expect: point-of-order timer-expired -> mutex.holder
  (on (retracted (lease-request $who))
      (when (equal? (holder) who)
        (holder #f))))                      ; expect: point-of-order lease-request -> mutex.holder; point-of-order mutex.holder -> mutex.holder

(spawn #:name 'worker
  (assert (lease-request 'w1))
  (during (lease 'w1)
    (assert (working 'w1))))
