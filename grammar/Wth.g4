// The termijn process language (.wth files).
// Only engine/frontend/parser.cc includes the code ANTLR generates from this grammar;
// it turns the parse tree into termijn's own AST at once (engine/frontend/ast.h).
grammar Wth;

file_ : importDecl* topDecl* EOF ;

importDecl : IMPORT (STRING | ID) ;

topDecl
  : termsDecl
  | calendarDecl
  | processDecl
  ;

// ---- legal terms and calendars -------------------------------------------
termsDecl    : TERMS ID LBRACE termDef* RBRACE ;
// `with termijnenwet`: the Algemene termijnenwet applies (an end on a weekend or holiday moves to the
// next working day). Off unless said: a ban ends at its hour, also on a Sunday (case law, law.md §3.7).
termDef      : ID ASSIGN duration citation? (WITH ID)? ;
termOverride : ID DOT ID ASSIGN duration citation? ;
citation     : CITE STRING ;
calendarDecl : CALENDAR ID ASSIGN HOLIDAYS STRING citation? ;

// ---- processes ---------------------------------------------------------------
processDecl : PROCESS ID (VERSION INT)? (EXTENDS ID)? LBRACE member* RBRACE ;

member
  : TITLE STRING                                  # titleMember
  | ROLES ID (COMMA ID)*                          # rolesMember
  | USES CALENDAR ID                              # calendarMember
  | INCIDENTS TO ID                               # incidentsMember
  | CASE LBRACE fieldDecl* RBRACE                 # caseMember
  | PERSONS LBRACE fieldDecl* RBRACE              # personsMember
  | instrumentDecl                                # instrumentMember
  | EVENTS eventDecl (COMMA eventDecl)*           # eventsMember
  | TERMS LBRACE termOverride* RBRACE             # termsMember
  | START ON ID (ARROW ID | block)?               # startMember
  | OVERRIDE step                                 # overrideMember
  | REMOVE ID                                     # removeMember
  | ADD (BEFORE | AFTER | BESIDE) ID block        # addMember
  | ADD BRANCH ID BESIDE ID block                 # addBranchMember
  | step                                          # stepMember
  ;

// ---- instruments: a checklist filled in by a task --------------------------------------
// Items grouped in parts, each answered with a value of the scale; the first rule that holds
// gives the computed outcome. A variant writes `instrument <same name> { part ... }` to add items.
instrumentDecl : INSTRUMENT ID STRING? LBRACE instrumentPart* RBRACE ;
instrumentPart
  : SCALE ID (COMMA ID)*                          # scalePart
  | OUTCOMES ID (COMMA ID)*                       # outcomesPart
  | PART ID STRING? LBRACE itemDecl* RBRACE       # partPart
  | RULES LBRACE outcomeRule* RBRACE              # rulesPart
  | CITE STRING                                   # citePart
  ;
itemDecl : ITEM ID STRING? ;
// `when 2 rood in one part -> opleggen`, `when 3 rood -> ...`, `when 1 rood in a -> ...`.
outcomeRule
  : WHEN INT ID (IN (ONE PART | ID))? ARROW ID    # countRule
  | OTHERWISE ARROW ID                            # otherwiseRule
  ;

// `intrekking by burgemeester`: only those roles may send the event (hosts acting for them).
// `with (field, ...)`: the case fields the event may carry; without it, an event carries none.
eventDecl    : ID eventSenders? eventFields? ;
eventSenders : BY ID (OR ID)* ;
eventFields  : WITH LPAREN ID (COMMA ID)* RPAREN ;
// `required`: a case cannot start without the field (case fields only).
fieldDecl : ID COLON typeRef REQUIRED? ;
typeRef
  : ONE OF LPAREN ID (COMMA ID)* RPAREN           # enumType
  | ID (LT typeRef GT)?                           # namedType
  ;

block : LBRACE step* RBRACE ;

// ---- steps -----------------------------------------------------------------------
step : (ID COLON)? stepBody ;

stepBody
  : TASK ID STRING? taskClause* taskBody?                       # taskStep
  | MILESTONE ID STRING?                                        # milestoneStep
  | DECIDE ID STRING? LBRACE whenBranch* otherwiseBranch? RBRACE  # decideStep
  | TIMER ID ASSIGN expr                                        # timerStep
  | WAIT UNTIL expr                                             # waitUntilStep
  | WAIT FOR ID                                                 # waitForStep
  | PARALLEL LBRACE branch+ RBRACE                              # parallelStep
  | BESIDE ID block                                            # besideStep
  | FOR EACH ID IN expr (WHERE expr)? block                     # forEachStep
  | CALL ID (WITH LPAREN argument (COMMA argument)* RPAREN)?    # callStep
  | REQUIRE expr ELSE STRING (ESCALATE TO ID)?                  # requireStep
  | NOTIFY ID (COMMA ID)* STRING                                # notifyStep
  | SIGNAL ID                                                   # signalStep
  | SET ID ASSIGN expr                                          # setStep
  | GOTO ID                                                     # gotoStep
  | END STRING?                                                 # endStep
  | STAGE ID STRING? (UNTIL ID)? block                          # stageStep
  | ON ID INTERRUPTING? (ARROW ID | block)                      # handlerStep
  | WHEN ID PASSES block                                        # termPassesStep
  | HAND ON ID (TO ID)?                                         # handOnStep
  ;

taskClause
  : BY ID                                         # byClause
  | WITHIN expr                                   # withinClause
  | DUE expr                                      # dueClause
  ;
taskBody : LBRACE taskItem* RBRACE ;
taskItem
  : OUTPUT fieldDecl                              # outputItem
  | CITE STRING                                   # citeItem
  | ESCALATE LBRACE rung+ RBRACE                  # escalateItem
  | INSTRUMENT ID                                 # instrumentItem
  ;
rung : rungWhen COLON rungAction (AND rungAction)* ;
rungWhen
  : AT DUE                                        # atDue
  | expr BEFORE DUE                               # beforeDue
  | expr AFTER DUE                                # afterDue
  ;
rungAction
  : NOTIFY ID (COMMA ID)* STRING?                 # notifyAction
  | REASSIGN TO ID                                # reassignAction
  | RAISE LEVEL INT                               # raiseAction
  ;

whenBranch      : WHEN expr (ARROW ID | block) ;
otherwiseBranch : OTHERWISE (ARROW ID | block) ;
branch          : BRANCH ID block ;
argument        : ID ASSIGN expr ;

// ---- expressions (highest precedence first) ------------------------------------
expr
  : LPAREN expr RPAREN                            # parenExpr
  | expr DOT ID                                   # memberExpr
  | ID LPAREN (expr (COMMA expr)*)? RPAREN        # callExpr
  | expr STAR expr                                # mulExpr
  | expr op=(PLUS | MINUS) expr                   # addExpr
  | expr op=(LT | LE | GT | GE) expr              # compareExpr
  | expr op=(EQ | NE) expr                        # equalExpr
  | NOT expr                                      # notExpr
  | expr AND expr                                 # andExpr
  | expr OR expr                                  # orExpr
  | duration                                      # durationExpr
  | INT                                           # intExpr
  | STRING                                        # stringExpr
  | (TRUE | FALSE)                                # boolExpr
  | NOW                                           # nowExpr
  | ID                                            # nameExpr
  ;
duration : INT WORKING? ID ;

// ---- lexer -------------------------------------------------------------------------
IMPORT: 'import'; TERMS: 'terms'; CITE: 'cite'; CALENDAR: 'calendar'; HOLIDAYS: 'holidays';
PROCESS: 'process'; VERSION: 'version'; EXTENDS: 'extends'; TITLE: 'title'; ROLES: 'roles';
USES: 'uses'; INCIDENTS: 'incidents'; CASE: 'case'; EVENTS: 'events'; START: 'start'; ON: 'on'; OVERRIDE: 'override';
REMOVE: 'remove'; ADD: 'add'; BEFORE: 'before'; AFTER: 'after'; ONE: 'one'; OF: 'of';
TASK: 'task'; MILESTONE: 'milestone'; DECIDE: 'decide'; TIMER: 'timer'; WAIT: 'wait';
UNTIL: 'until'; FOR: 'for'; PARALLEL: 'parallel'; EACH: 'each'; IN: 'in'; CALL: 'call';
WITH: 'with'; REQUIRE: 'require'; ELSE: 'else'; ESCALATE: 'escalate'; TO: 'to';
NOTIFY: 'notify'; SIGNAL: 'signal'; SET: 'set'; GOTO: 'goto'; END: 'end'; STAGE: 'stage';
INTERRUPTING: 'interrupting'; BY: 'by'; WITHIN: 'within'; DUE: 'due'; OUTPUT: 'output';
AT: 'at'; REASSIGN: 'reassign'; RAISE: 'raise'; LEVEL: 'level'; WHEN: 'when';
OTHERWISE: 'otherwise'; BRANCH: 'branch'; NOT: 'not'; AND: 'and'; OR: 'or';
TRUE: 'true'; FALSE: 'false'; NOW: 'now'; WORKING: 'working'; PASSES: 'passes'; HAND: 'hand'; BESIDE: 'beside';
PERSONS: 'persons'; REQUIRED: 'required'; WHERE: 'where';
INSTRUMENT: 'instrument'; SCALE: 'scale'; OUTCOMES: 'outcomes'; PART: 'part'; ITEM: 'item'; RULES: 'rules';

ARROW: '->'; LBRACE: '{'; RBRACE: '}'; LPAREN: '('; RPAREN: ')'; COMMA: ','; COLON: ':';
DOT: '.'; ASSIGN: '='; EQ: '=='; NE: '!='; LE: '<='; GE: '>='; LT: '<'; GT: '>';
PLUS: '+'; MINUS: '-'; STAR: '*';

INT    : [0-9]+ ;
ID     : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;

// Comments go to the hidden channel, not away: the parser never sees them, but `termijn fmt`
// reads them from the token stream and keeps each where it was (engine/format/).
LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS            : [ \t\r\n]+ -> skip ;
ERROR_CHAR    : . ;
