1import wth

process x {
  roles a, b
  events begin
  case { naam: text required }
  start on begin
  task t "eerste" by a within Wth.eerste_termijn {
    output klaar: bool
    escalate { at due: notify b }
  }
  decide d {
    when t.klaar -> u
    otherwise { end "niet klaar" }
  }
  task u by b within 2 days
}

process y extends x {
  override task t within 3 days
  remove u
}
