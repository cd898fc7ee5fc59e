#lang syndicate
;; The box and its client. The box publishes its field as an assertion; the client
;; reacts by sending a message that overwrites the field, until it sees 5. The
;; overwrite, the message and the stop-when close a loop: a temporal cluster.
; expect: temporal-cluster box-state, box.value, set-box

(assertion-struct box-state (value))
(message-struct set-box (new-value))

(spawn #:name 'box
  (field [value 0])
  (assert (box-state (value)))
  (on (message (set-box $v))
      (value v)))                     ; expect: point-of-order set-box -> box.value

(spawn #:name 'client
  (stop-when (asserted (box-state 5)))
  (on (asserted (box-state $v))
      (send! (set-box (+ v 1)))))     ; expect: point-of-order box-state -> set-box
