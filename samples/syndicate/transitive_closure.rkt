#lang syndicate
;; Transitive closure of a link relation with nested `during`: every derived `path`
;; assertion lives exactly as long as the links that cause it, so the program is
;; monotone and calm finds no point of order.

(assertion-struct link (from to))
(assertion-struct path (from to))

(spawn #:name 'links
  (assert (link 'a 'b))
  (assert (link 'b 'c))
  (assert (link 'c 'd)))

(spawn #:name 'closure
  ;; one hop
  (during (link $from $to)
    (assert (path from to)))
  ;; a link followed by a path
  (during (link $from $mid)
    (during (path mid $to)
      (assert (path from to)))))
