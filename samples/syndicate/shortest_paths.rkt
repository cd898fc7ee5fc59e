#lang syndicate
;; Shortest path costs from 'a to 'd. Path costs are derived with nested `during`
;; (monotone); the query actor keeps the cheapest cost in a field that only ever
;; decreases (`min` of the old value: a lattice merge, monotone). The points of order
;; are exactly the aggregate (counting routes) and the retraction handler (which has
;; to forget the minimum when a route disappears).

(assertion-struct edge (from to cost))
(assertion-struct path-cost (from to cost))
(assertion-struct best (from to cost routes))

(spawn #:name 'graph
  (assert (edge 'a 'b 1))
  (assert (edge 'b 'd 1))
  (assert (edge 'a 'd 5)))

(spawn #:name 'paths
  (during (edge $a $b $c)
    (assert (path-cost a b c)))
  (during (edge $a $b $c)
    (during (path-cost b $d $c2)
      (assert (path-cost a d (+ c c2))))))

(spawn #:name 'query
  (field [shortest +inf.0])
  (define/query-count routes (path-cost 'a 'd _)) ; expect: point-of-order path-cost -> query.routes
  (on (asserted (path-cost 'a 'd $c))
      (shortest (min (shortest) c)))
  (on (retracted (path-cost 'a 'd $c))
      (shortest +inf.0))                          ; expect: point-of-order path-cost -> query.shortest
  (assert (best 'a 'd (shortest) (routes))))
