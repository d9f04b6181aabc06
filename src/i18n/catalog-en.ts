/**
 * The English catalogue, and the key space every locale must fill.
 *
 * Messages are ICU MessageFormat (formatted by `t` in translate.ts). Keys:
 * - `<use case>.<outcome kind>`: the reply to an outcome, e.g. `cosign.cosigned`,
 *   `relay.other_building`; a few outcomes split on a flag (`vote.recorded_changed`).
 * - `refusal.<kind>`, `refusal.not_allowed.<need>`, `refusal.invalid.<field>`
 *   (field with indexes removed: `milestones[2].due` -> `milestones.due`).
 * - labels: `state.proposal.*`, `state.resolution.*`, `choice.*`, `role.*`,
 *   `escalation.label.<level>`, `points.kind.*`, `button.*`;
 * - card lines `card.<card>.<line>`, pushes `reminder.*`, `escalation.push.<level>`,
 *   `digest.*`, `status.*`, `points.*`, `help.<command>`, `error.*`.
 *
 * Params mirror the outcome's field names. Params shown to people are display
 * ready: dates formatted with `formatDateTime`, codes (state, choice, level)
 * passed as their labels. Codes that only switch wording (`reason`, `result`,
 * `verdict`, `satisfied`) are passed raw and `select`ed on. `turnout` is a
 * fraction 0..1 (formatted as a percent), `percent` a whole number 0..100.
 * Commands are written `{cmd}vote 12 for`: `cmd` is the platform's command
 * prefix (`/` on Telegram, `/yishi ` on Slack); their arguments stay
 * English in every locale. Apostrophes are typographic (’): a straight one
 * quotes in ICU.
 */
export const en = {
  // Proposal states (议题)
  'state.proposal.collecting': 'Collecting co-signs',
  'state.proposal.agenda': 'On the agenda',
  'state.proposal.noticed': 'Announced, vote coming',
  'state.proposal.voting': 'Voting open',
  'state.proposal.passed': 'Passed',
  'state.proposal.rejected': 'Rejected',
  'state.proposal.no_quorum': 'No quorum',
  'state.proposal.expired': 'Expired (not enough co-signs)',
  'state.proposal.withdrawn': 'Withdrawn',

  // Resolution states (决议)
  'state.resolution.assigned': 'Assigned',
  'state.resolution.in_progress': 'In progress',
  'state.resolution.done': 'Done, survey open',
  'state.resolution.evaluated': 'Evaluated',
  'state.resolution.overdue': 'Overdue',

  // Ballot choices
  'choice.for': 'For',
  'choice.against': 'Against',
  'choice.abstain': 'Abstain',

  // Roles
  'role.resident': 'Resident',
  'role.representative': 'Building representative',
  'role.committee': 'Residents’ committee',
  'role.supervisor': 'Supervision group',
  'role.executor': 'Executing unit',
  'role.street_office': 'Street office',

  // Escalation ladder
  'escalation.label.1': 'Level 1: meeting with the person in charge',
  'escalation.label.2': 'Level 2: supervision group follow-up',
  'escalation.label.3': 'Level 3: street office steps in',

  // Points ledger entry kinds
  'points.kind.propose': 'Proposal',
  'points.kind.cosign': 'Co-sign',
  'points.kind.vote': 'Vote',
  'points.kind.progress_check': 'Progress report',

  // Buttons (each has a typed twin: /cosign, /vote, /survey)
  'button.cosign': 'Co-sign',
  'button.vote_for': 'For',
  'button.vote_against': 'Against',
  'button.vote_abstain': 'Abstain',
  'button.survey_yes': 'Satisfied',
  'button.survey_no': 'Not satisfied',
  'button.follow_up': 'Open follow-up proposal',

  // Slack's form for /yishi propose without a title
  'modal.propose.heading': 'New proposal',
  'modal.propose.submit': 'Propose',
  'modal.propose.cancel': 'Cancel',
  'modal.propose.title': 'Title',
  'modal.propose.details': 'Details (optional)',
  'modal.propose.category': 'Category',
  'modal.propose.title_missing': 'Write a title: one line saying what you propose.',
  'modal.propose.too_long': 'At most {max} characters: please shorten it.',

  // Proposal card
  'card.proposal.heading': 'Proposal #{number}: {title}',
  'card.proposal.body': 'Details: {body}',
  'card.proposal.category': 'Category: {category}',
  'card.proposal.author': 'Proposed by household {unit}',
  'card.proposal.state': 'Status: {state}',
  'card.proposal.cosigns': 'Co-signs {count}/{threshold}',
  'card.proposal.cosigns_needed':
    '{remaining, plural, =0 {Enough co-signs} one {# more co-sign needed} other {# more co-signs needed}}',
  'card.proposal.cosign_deadline': 'Co-signing closes {deadline}',
  'card.proposal.notice': 'Public notice: voting opens {opensAt}',
  'card.proposal.vote_times': 'Vote: {opensAt} to {closesAt}',
  'card.proposal.how_to_cosign': 'Support it with the Co-sign button or {cmd}cosign {number}.',

  // Vote card: turnout only, never the running for/against split
  'card.vote.heading': 'Vote on proposal #{number}: {title}',
  'card.vote.turnout': 'Turnout so far: {voted}/{eligible} ({turnout, number, percent})',
  'card.vote.quorum': 'Valid once {needed} of {eligible} have voted.',
  'card.vote.rule': 'Passes with at least {passRatio} of the ballots cast in favour.',
  'card.vote.closes': 'Voting closes {closesAt}',
  'card.vote.how_to_vote':
    'Vote with the buttons or {cmd}vote {number} for|against|abstain. You can change your vote until it closes; nobody sees how you voted.',
  'card.vote.paper': 'Voting on paper? Your building representative can enter it for you.',

  // Result card
  'card.result.heading': 'Result of proposal #{number}: {title}',
  'card.result.outcome':
    '{result, select, passed {✅ Passed} rejected {❌ Rejected} other {⚪ No quorum: not enough voters took part}}',
  'card.result.tally': 'For {for} · Against {against} · Abstain {abstain}',
  'card.result.turnout':
    'Turnout {voted}/{eligible} ({turnout, number, percent}); {needed} needed.',
  'card.result.next':
    '{result, select, passed {Next: the residents’ committee names the lead unit, cooperating units and deadline ({cmd}assign {number} lead=NAME due=YYYY-MM-DD).} rejected {The proposal did not pass. A changed proposal can be opened with {cmd}propose TITLE.} other {No decision was made. To try again, open it anew with {cmd}propose TITLE.}}',

  // Resolution card
  'card.resolution.heading': 'Resolution #{number}: {title}',
  'card.resolution.lead': 'Lead unit: {lead}',
  'card.resolution.coop':
    '{count, plural, =0 {Cooperating units: none} other {Cooperating units: {units}}}',
  'card.resolution.due': 'Due: {due}',
  'card.resolution.state': 'Status: {state}',
  'card.resolution.progress': 'Progress: {percent}%',
  'card.resolution.latest_note': 'Latest update: {note}',
  'card.resolution.no_note': 'No progress reported yet.',
  'card.resolution.overdue':
    '⚠️ Overdue by {days, plural, =0 {less than a day} one {# day} other {# days}}',
  'card.resolution.escalation': '🔺 Escalated: {label}',
  'card.resolution.flagged': '⚠️ Below the satisfaction bar: flagged for follow-up',
  'card.resolution.how_to_report':
    'Lead unit: report with {cmd}progress {number} PCT NOTE, or {cmd}done {number} NOTE when finished.',

  // Satisfaction survey card
  'card.survey.heading': 'Satisfaction survey: resolution #{number} {title}',
  'card.survey.question':
    'Are you satisfied with how this was carried out? Answer with the buttons or {cmd}survey {number} yes|no by {closesAt}.',
  'card.survey.answered':
    '{answered, plural, =0 {No answers yet} one {# answer so far} other {# answers so far}}',
  'card.survey.result':
    '{verdict, select, satisfied {✅ {satisfied} of {answered} satisfied (needed {satisfiedNeeded}).} unsatisfied {⚠️ Only {satisfied} of {answered} satisfied (needed {satisfiedNeeded}): flagged for follow-up.} other {Nobody answered; the resolution is not flagged.}}',
  'card.survey.follow_up':
    'Suggested follow-up proposal: “{title}”. Open it with the button or {cmd}propose {title}',

  // /join
  'join.joined':
    'Welcome! This chat account is now linked to household {unit}, building {building}, {communityName}. Send {cmd}help to see what you can do.',
  'join.code_unknown':
    'That join code is not valid. Check it against your slip (letters and digits, no 0/O or 1/I), or ask the residents’ committee for a new one.',
  'join.code_used':
    'That join code has already been used; each code works once. If it was not you, ask the residents’ committee for a new code.',
  'join.already_linked':
    'This chat account is already linked to household {unit}, building {building}. Nothing to do: send {cmd}help to get started.',
  'join.code_malformed':
    'That does not look like a join code. Send {cmd}join and the 8-character code, e.g. {cmd}join ABCD-EFGH',

  // /propose
  'propose.proposed':
    'Proposal #{number} “{title}” is open for co-signs: {cosigns}/{threshold}, yours counts as the first. It needs {threshold} by {cosignDeadline}; share it with your neighbours.',
  'propose.proposed_noticed':
    'Proposal #{number} “{title}” already has enough co-signs ({cosigns}/{threshold}). It is announced now; voting opens {votingOpensAt}.',

  // /cosign
  'cosign.cosigned': 'You co-signed #{number}: {cosigns}/{threshold}. Thank you!',
  'cosign.cosigned_agenda':
    'You co-signed #{number}, and it now has enough co-signs ({cosigns}/{threshold}): it is on the agenda and announced; voting opens {votingOpensAt}.',
  'cosign.already_cosigned':
    '#{number} already has a co-sign from you or your household ({cosigns}/{threshold}). Invite your neighbours to co-sign with {cmd}cosign {number}.',
  'cosign.not_collecting':
    '#{number} is no longer collecting co-signs (status: {state}). See where it stands with {cmd}status {number}.',
  'cosign.window_closed':
    'Co-signing for #{number} closed on {cosignDeadline}. If the issue still matters, propose it again with {cmd}propose TITLE.',

  // /schedule
  'schedule.scheduled':
    'Vote on #{number} scheduled: opens {votingOpensAt}, closes {votingClosesAt}. The proposal card shows the notice.',
  'schedule.too_early':
    'The vote on #{number} cannot open before {earliestAt}: residents get the full notice period. Choose that time or later: {cmd}schedule {number} YYYY-MM-DD HH:mm',
  'schedule.wrong_state':
    '#{number} cannot be scheduled now (status: {state}); only a proposal on the agenda or under notice can. See {cmd}status {number}.',

  // /vote (cast-vote outcomes)
  'vote.recorded':
    'Your vote on #{number} is recorded: {choice}. You can change it until voting closes.',
  'vote.recorded_changed':
    'Your vote on #{number} is changed to {choice}. Only your latest vote counts.',
  'vote.recorded_superseded_relay':
    'Your vote on #{number} is recorded: {choice}. It replaces the paper ballot your building representative entered for your household.',
  'vote.already_recorded':
    'You already voted {choice} on #{number}; nothing changed. To change it, send {cmd}vote {number} for|against|abstain before voting closes.',
  'vote.relay_refused_own_ballot':
    'Your own vote on #{number} already counts; a paper ballot cannot replace it. To change it, send {cmd}vote {number} for|against|abstain.',
  'vote.relay_refused_other_representative':
    'A building representative entered a paper ballot for your household on #{number}. Vote yourself with {cmd}vote {number} for|against|abstain to replace it.',
  'vote.vote_not_open':
    'Voting on #{number} is not open (status: {state}). See when it opens with {cmd}status {number}.',
  'vote.vote_closed':
    'Voting on #{number} closed on {closedAt}; no more votes can be cast. See the result with {cmd}status {number}.',
  'vote.not_eligible':
    'You are not on the voter list of #{number}: the list was fixed when voting opened. If this is wrong, tell the residents’ committee.',
  'vote.private_fallback':
    'Your ballot on #{number} is recorded; how you voted is not shown here. To get confirmations privately, open a private chat with me and press Start.',

  // /relay (relay-vote outcomes, as the representative sees them)
  'relay.recorded':
    'Paper ballot {paperRef} for household {unit} on #{number} recorded: {choice}. If the household votes in the chat itself, their own vote replaces it.',
  'relay.recorded_changed':
    'Paper ballot for household {unit} on #{number} changed to {choice} (ref {paperRef}).',
  'relay.already_recorded':
    'Household {unit} already has your paper ballot {choice} on #{number}; nothing changed.',
  'relay.relay_refused_own_ballot':
    'Household {unit} has already voted on #{number} in the chat; their own vote counts and a paper ballot cannot replace it. Mark paper ballot {paperRef} as not counted.',
  'relay.relay_refused_other_representative':
    'Another representative already entered a paper ballot for household {unit} on #{number}; only they can change it. Ask them, or ask the household to vote with {cmd}vote {number} for',
  'relay.vote_not_open':
    'Voting on #{number} is not open (status: {state}); paper ballots can be entered only while it is. See {cmd}status {number}.',
  'relay.vote_closed':
    'Voting on #{number} closed on {closedAt}; paper ballots can no longer be entered. Keep ballot {paperRef} with the vote records.',
  'relay.not_eligible':
    'Household {unit} is not on the voter list of #{number} (fixed when voting opened). If this is wrong, tell the residents’ committee.',
  'relay.unit_unknown':
    'There is no household {unit} in the roster. Write the unit as on the roster, e.g. 201 (in your building) or 3-201.',
  'relay.other_building':
    'Household {unit} is not in building {building}, which you represent. Ask the representative of its building to relay it, or ask the household to vote with {cmd}vote {number} for',
  'relay.private_fallback':
    'The paper ballot for household {unit} on #{number} is recorded; its choice is not shown here. To get confirmations privately, open a private chat with me and press Start.',

  // /withdraw
  'withdraw.withdrawn':
    'Proposal #{number} is withdrawn; its co-signs and any scheduled vote are cancelled.',
  'withdraw.author_after_collecting':
    '#{number} is past co-signing (status: {state}), so its author can no longer withdraw it. Ask the residents’ committee to withdraw it before the vote.',
  'withdraw.wrong_state':
    '#{number} can no longer be withdrawn (status: {state}); only a proposal before its vote can. See {cmd}status {number}.',

  // Deadline transitions (workers)
  'deadline.opened':
    '🗳 Voting on #{number} is open until {votingClosesAt}; {eligible, plural, one {# voter} other {# voters}} eligible.',
  'deadline.closed':
    'Voting on #{number} has closed: {result, select, passed {passed} rejected {rejected} other {no quorum}}.',
  'deadline.expired':
    'Proposal #{number} did not get enough co-signs in time and has expired. It can be proposed again with {cmd}propose TITLE.',
  'deadline.unchanged':
    '#{number}: nothing to do ({reason, select, wrong_state {it has moved on} not_yet {not due yet} other {no such proposal}}).',

  // /assign
  'assign.assigned':
    'Resolution #{number} assigned: lead unit {lead}{coopCount, plural, =0 {} other {, cooperating {coop}}}, due {dueAt}. It is posted to the chats; overdue work is escalated automatically.',
  'assign.not_passed':
    '#{number} has not passed (status: {state}); only a passed proposal becomes a resolution. See {cmd}status {number}.',
  'assign.already_assigned':
    'Resolution #{number} is already assigned. See it with {cmd}status {number}.',
  'assign.unit_unknown':
    'There is no executing unit named “{name}” in the roster. Use the name as on the roster: {cmd}assign {number} lead=NAME due=YYYY-MM-DD',

  // /progress
  'progress.reported':
    'Progress on resolution #{number}: {previousPercent}% → {percent}%, posted to the chats. Send {cmd}done {number} NOTE when the work is finished.',
  'progress.resolution_unknown':
    'There is no resolution #{number}. Send {cmd}status to see the open ones.',
  'progress.already_done':
    'Resolution #{number} is finished (status: {state}); progress can no longer be reported. See {cmd}status {number}.',

  // /done
  'done.completed':
    'Resolution #{number} is marked done. Residents can rate it in the satisfaction survey until {surveyClosesAt}.',
  'done.resolution_unknown':
    'There is no resolution #{number}. Send {cmd}status to see the open ones.',
  'done.already_done':
    'Resolution #{number} is already marked done (status: {state}). See {cmd}status {number}.',

  // /survey
  'survey.answered':
    'Thank you: your answer on resolution #{number} is recorded ({satisfied, select, true {satisfied} other {not satisfied}}). You can change it until {surveyClosesAt}.',
  'survey.resolution_unknown':
    'There is no resolution #{number}. Send {cmd}status to see the open ones.',
  'survey.no_survey':
    'Resolution #{number} has no open survey (status: {state}); it opens when the lead unit marks the work done. See {cmd}status {number}.',
  'survey.survey_closed':
    'The survey on resolution #{number} closed on {surveyClosesAt}; answers are no longer accepted. See the result with {cmd}status {number}.',

  // Survey evaluation (workers)
  'survey_close.evaluated':
    'Survey on resolution #{number} closed: {verdict, select, satisfied {{satisfied} of {answered} satisfied, the bar is met.} unsatisfied {only {satisfied} of {answered} satisfied (needed {satisfiedNeeded}); flagged for follow-up.} other {nobody answered.}}',
  'survey_close.resolution_unknown': 'There is no resolution #{number}; nothing to evaluate.',
  'survey_close.not_yet':
    'The survey on resolution #{number} runs until {surveyClosesAt}; it is evaluated then.',
  'survey_close.wrong_state': 'Resolution #{number} has no survey to evaluate (status: {state}).',

  // /status
  'status.status': 'Status of #{number}: {state}',
  'status.open': 'Open proposals and resolutions ({count})',
  'status.proposal_unknown':
    'There is no proposal #{number}. Send {cmd}status to see the open ones.',
  'status.community_unknown':
    'The community this chat was bound to no longer exists. Ask the residents’ committee to bind the chat again.',
  'status.section.proposals': 'Proposals',
  'status.section.resolutions': 'Resolutions',
  'status.proposal_line': '#{number} {title} · {state}',
  'status.resolution_line': '#{number} {title} · {state} · {percent}% · due {due}',
  'status.more': '…and {count} more. See one with {cmd}status N.',
  'status.empty': 'Nothing is open right now. Start a proposal with {cmd}propose TITLE.',

  // /points
  'points.balance': 'Your participation points: {balance}',
  'points.recent': 'Recent:',
  'points.entry': '{at} · {kind} · +{amount}',
  'points.none':
    'No points yet. You earn points by proposing, co-signing, voting and reporting progress.',

  // /lang
  'lang.set': 'This chat now uses English. Send {cmd}lang zh to switch to Chinese.',

  // Reminders and escalation pushes
  'reminder.cosign_closing':
    '⏰ Co-signing for #{number} “{title}” closes {deadline}: {count}/{threshold} so far. Support it with {cmd}cosign {number}.',
  'reminder.vote_closing':
    '⏰ Voting on #{number} “{title}” closes {closesAt}. Turnout so far {voted}/{eligible} ({turnout, number, percent}); {needed} needed for a valid vote. Vote with {cmd}vote {number} for|against|abstain.',
  'reminder.resolution_due':
    '⏰ Resolution #{number} “{title}” is due {days, plural, =0 {within a day} one {in # day} other {in # days}} ({due}); progress {percent}%. {lead}: report with {cmd}progress {number} PCT NOTE, or {cmd}done {number} NOTE when finished.',
  'reminder.vote_private':
    '⏰ Your ballot on #{number} “{title}” is still missing. Voting closes {closesAt}. Vote with the buttons or {cmd}vote {number} for|against|abstain; how you vote stays private.',
  'escalation.push.1':
    '🔺 Resolution #{number} “{title}” is overdue (due {due}, progress {percent}%). Level 1: the residents’ committee meets the person in charge at {lead}. {lead}: report with {cmd}progress {number} PCT NOTE or {cmd}done {number} NOTE.',
  'escalation.push.2':
    '🔺 Resolution #{number} “{title}” is {days, plural, one {# day} other {# days}} overdue (due {due}, progress {percent}%). Level 2: the supervision group follows up with {lead}. Supervisors: check the work on site and report back; {cmd}status {number} shows the record.',
  'escalation.push.3':
    '🔺 Resolution #{number} “{title}” is {days, plural, one {# day} other {# days}} overdue (due {due}, progress {percent}%). Level 3: the street office is asked to step in and supervise {lead}. The full record: {cmd}status {number}.',

  // Weekly digest (执行进度周报)
  'digest.heading': '📋 Weekly digest, {community}: {from} to {to}',
  'digest.section.collecting': 'Collecting co-signs ({count})',
  'digest.section.voting': 'Voting now or soon ({count})',
  'digest.section.decided': 'Decided this week ({count})',
  'digest.section.resolutions': 'Resolutions in progress ({count})',
  'digest.section.overdue': 'Overdue ({count})',
  'digest.participation':
    'This week: {ballots, plural, one {# ballot} other {# ballots}} and {cosigns, plural, one {# co-sign} other {# co-signs}} from {households, plural, one {# household} other {# households}}.',
  'digest.building_line': 'Building {building}: {voted}/{eligible} took part',
  'digest.resolution_line':
    '#{number} {title} · {lead} · due {due} · {percent}% · {state}{overdue, select, true { · overdue} other {}}{escalated, select, true { · 🔺 {label}} other {}}',
  'digest.empty': 'Nothing is open this week. Anyone can start with {cmd}propose TITLE.',

  // The bot is back in a bound chat (told to the committee)
  'membership.chat_restored':
    '🔔 The bot is back in the bound chat {chat} of {community}; cards are posted there again. If they still do not arrive, check that the bot may post there; yishi chat list shows every chat.',

  // Watchfulness alerts, to each member of the supervision group privately
  'watch.relay_burst':
    '⚠️ Watch alert ({community}): one building representative relayed {count} paper ballots for #{number} within {minutes} minutes (alert above {threshold}). Please check the paper ballots; the audit log records this alert (watch.alert).',
  'watch.relay_share':
    '⚠️ Watch alert ({community}): one building representative relayed the ballots of {count} households of their building for #{number} (alert above {threshold}). Please check the paper ballots with those households; the audit log records this alert (watch.alert).',
  'watch.join_surge':
    '⚠️ Watch alert ({community}): {count} households joined in the {hours} hours before the vote on #{number} opens, far above the usual rate (alert above {threshold}). Please check that the new accounts belong to their households; the audit log records this alert (watch.alert).',
  'watch.join_codes':
    '⚠️ Watch alert ({community}): one chat account tried the join codes of {count} different households within {hours} hours (alert above {threshold}). Codes may have leaked: consider issuing new ones with yishi roster codes; the audit log records this alert (watch.alert).',
  'watch.last_minutes_relays':
    '⚠️ Watch alert ({community}): in the last {minutes} minutes of the vote on #{number}, relayed paper ballots added {count} to the turnout (alert above {threshold}). Please check the paper ballots before the result is announced; the audit log records this alert (watch.alert).',

  // /help: line 1 is the syntax (the same in every locale), then what it does
  'help.heading': 'Commands you can use (N is the proposal number):',
  'help.slack_hint': 'On Slack, type /yishi before each command, e.g. /yishi vote 12 for',
  'help.join':
    '{cmd}join CODE\nLinks this chat account to your household, with the join code from the residents’ committee. Best sent to me in a private chat.',
  'help.propose':
    '{cmd}propose TITLE\nOpens a proposal: details on the next lines, optionally a #category. With enough co-signs it goes on the agenda and to a vote.',
  'help.cosign':
    '{cmd}cosign N\nSupports proposal N (or tap Co-sign on its card); enough co-signs put it on the agenda.',
  'help.schedule':
    '{cmd}schedule N YYYY-MM-DD HH:mm\nCommittee: sets when the vote on N opens, no earlier than the notice period allows.',
  'help.vote':
    '{cmd}vote N for|against|abstain\nCasts or changes your vote until voting closes; the buttons work too. How you voted is never shown in the chat.',
  'help.relay':
    '{cmd}relay N UNIT for|against|abstain REF\nRepresentative: enters a paper ballot (reference REF) for a household of your building. The household’s own vote replaces it.',
  'help.assign':
    '{cmd}assign N lead=NAME due=YYYY-MM-DD [coop=A,B]\nCommittee: turns passed proposal N into a resolution with a lead unit, cooperating units and a deadline.',
  'help.progress':
    '{cmd}progress N PCT NOTE\nLead unit: reports progress on resolution N (0 to 100%) with a short note, posted to the chats.',
  'help.done':
    '{cmd}done N NOTE\nLead unit: marks resolution N done; residents then get a satisfaction survey.',
  'help.survey':
    '{cmd}survey N yes|no\nAnswers the satisfaction survey on resolution N: were you satisfied with how it was carried out? The buttons work too.',
  'help.withdraw':
    '{cmd}withdraw N\nWithdraws proposal N before its vote: its author while it collects co-signs, or the committee.',
  'help.status': '{cmd}status [N]\nShows proposal or resolution N, or everything open.',
  'help.points': '{cmd}points\nShows your participation points and recent entries.',
  'help.lang': '{cmd}lang zh|en\nSwitches this chat between Chinese and English.',
  'help.help': '{cmd}help\nShows the commands you can use.',
  'help.topics':
    '{cmd}topics [on|off]\nShows what residents keep raising; on/off counts this group’s messages or stops (words only, never who or what was said).',

  // Hot topics (/topics and the weekly card)
  'button.topic_draft': 'Propose: {term}',
  'topics.heading.weekly': 'Hot topics this week in {community}',
  'topics.heading.now': 'Hot topics in {community} (last 7 days)',
  'topics.item': '{rank}. “{term}”: {count} messages from {senders} people',
  'topics.how_to_propose': 'Press a topic to get a ready {cmd}propose draft.',
  'topics.empty': 'Nothing stands out yet: a topic needs at least 3 different people raising it.',
  'topics.counting_off': 'This group is not counted. Send {cmd}topics on to count it.',
  'topics.opted_in':
    '{changed, select, true {Hot topics: this group’s messages are counted from now on (words only; no text, sender or message is kept).} other {This group is already counted.}} {cmd}topics off stops it.',
  'topics.opted_out':
    '{changed, select, true {Hot topics: this group is no longer counted.} other {This group is not counted.}} {cmd}topics on counts it again.',
  'topics.private_chat': 'Send {cmd}topics on or off in the group to be counted, not here.',
  'topics.policy_off':
    'Hot topics are off for this community. Turn them on with: yishi community policy --set hotTopics=on',
  'topics.not_committee': 'Only the committee can use {cmd}topics.',
  'topics.draft':
    'A proposal draft about “{term}”. Copy the next line, edit the title if you like, and send it:\n{cmd}propose {term}',
  'topics.term_unknown':
    'This topic is no longer on the list. Send {cmd}topics to see the current one.',

  // Refusals (core.ts): each says what to do instead
  'refusal.not_joined':
    'I don’t know your chat account yet. Link it to your household: send me {cmd}join CODE in a private chat, with the join code from the residents’ committee.',
  'refusal.chat_not_bound':
    'This chat is not connected to a community yet. Ask the residents’ committee to bind it (yishi chat bind), then try again.',
  'refusal.group_not_bound':
    'This group is not bound to a community yet, so commands sent here do nothing. Ask the residents’ committee to run npx yishi chat bind --community COMMUNITY_ID --platform {platform} --chat {chatId}{topic}, then try again.',
  'refusal.anonymous_admin':
    'You are posting as an anonymous admin, so I can’t tell which resident you are. Turn off “Remain anonymous” or send the command again as yourself.',
  'refusal.several_communities':
    'Your account is linked in several communities ({communities}), so I can’t tell which one you mean in this private chat. Send the command in your building’s group chat instead.',
  'callback.invalid':
    'This button is not valid (any more). Nothing was changed. Send {cmd}status to see the current cards.',
  'refusal.proposal_unknown':
    'There is no proposal #{number}. Send {cmd}status to see the open ones.',
  'refusal.not_allowed.resident':
    'Only residents can use {cmd}{command}. If you live here, ask the residents’ committee to list you as a resident in the roster.',
  'refusal.not_allowed.representative':
    'Only a building representative can relay paper ballots. Ask the representative of your building, or vote yourself with {cmd}vote {number} for',
  'refusal.not_allowed.committee':
    'Only the residents’ committee can use {cmd}{command}. Ask a committee member to do it; {cmd}help lists what you can do.',
  'refusal.not_allowed.supervisor':
    'Only the supervision group can use {cmd}{command}. Pass your concern to one of its members.',
  'refusal.not_allowed.executor':
    'Only an executing unit can use {cmd}{command}. Ask the lead unit to report, or follow the work with {cmd}status.',
  'refusal.not_allowed.street_office':
    'Only the street office can use {cmd}{command}. Ask the residents’ committee to pass it on.',
  'refusal.not_allowed.author_or_committee':
    'Only the author of #{number} or the residents’ committee can withdraw it. If you disagree, don’t co-sign, or vote against it when it comes to a vote.',
  'refusal.not_allowed.lead_unit_executor':
    'Only the lead unit of resolution #{number} can report its progress or mark it done. If you see a problem, tell the supervision group; {cmd}status {number} shows the progress.',
  'refusal.not_allowed.own_building':
    'Only the building representative of building {building} can relay this ballot. Ask them, or vote yourself with {cmd}vote {number} for',
  'refusal.invalid.title':
    '{reason, select, empty {Give the proposal a title: {cmd}propose TITLE, with details on the following lines.} other {The title is too long (at most {max} characters). Keep it short and put the details on the following lines.}}',
  'refusal.invalid.body':
    'The details are too long (at most {max} characters). Shorten them and send {cmd}propose again.',
  'refusal.invalid.category':
    'There is no category “{reason}”. Use one of: {categories}; or leave it out for “Other”.',
  'refusal.invalid.opensAt':
    '{reason, select, time_missing {Give a time as well as the date: {cmd}schedule {number} YYYY-MM-DD HH:mm} invalid_date {There is no such date or time. Check it: {cmd}schedule {number} YYYY-MM-DD HH:mm} other {Write the opening as {cmd}schedule {number} YYYY-MM-DD HH:mm, e.g. {cmd}schedule {number} 2026-12-08 19:30}}',
  'refusal.invalid.paperRef':
    '{reason, select, empty {Add the paper ballot’s reference at the end: {cmd}relay {number} UNIT for|against|abstain REF} other {The paper ballot reference is too long (at most {max} characters). Use the number written on the ballot.}}',
  'refusal.invalid.unit':
    '{reason, select, relay_needs_household_voters {This community votes per resident, not per household, so paper ballots cannot be relayed per household. Ask the resident to join and vote with {cmd}vote {number} for} other {Give the household as on the roster, e.g. 201 or 3-201: {cmd}relay {number} UNIT for|against|abstain REF}}',
  'refusal.invalid.lead':
    'Name the lead unit: {cmd}assign {number} lead=NAME due=YYYY-MM-DD [coop=A,B]',
  'refusal.invalid.due':
    '{reason, select, in_past {The due date must be in the future. Pick a later one: due=YYYY-MM-DD} invalid_date {There is no such date. Check the day and month: due=YYYY-MM-DD} other {Write the due date as due=YYYY-MM-DD, e.g. due=2026-12-31}}',
  'refusal.invalid.milestones':
    'Too many milestones (at most {max}). Keep the main ones and send {cmd}assign again.',
  'refusal.invalid.milestones.title':
    '{reason, select, empty {Every milestone needs a title.} other {A milestone title is too long (at most {max} characters). Shorten it.}}',
  'refusal.invalid.milestones.due':
    '{reason, select, in_past {A milestone date must be in the future. Pick a later one (YYYY-MM-DD).} invalid_date {A milestone date does not exist. Check the day and month (YYYY-MM-DD).} other {Write milestone dates as YYYY-MM-DD, e.g. 2026-12-31}}',
  'refusal.invalid.note':
    '{reason, select, empty {Add a short note on what was done, shown to residents: {cmd}progress {number} PCT NOTE or {cmd}done {number} NOTE} other {The note is too long (at most {max} characters). Summarise it.}}',
  'refusal.invalid.percent':
    'Progress is a whole number from 0 to 100, e.g. {cmd}progress {number} 60 NOTE',
  'refusal.invalid.answer':
    'Answer yes or no, e.g. {cmd}survey {number} yes (or a score from 1 to 5).',
  'refusal.invalid.number':
    'Give the number after the command, e.g. {cmd}{command} 12. Send {cmd}status to see the numbers.',
  'refusal.invalid.choice': 'Vote for, against or abstain, e.g. {cmd}vote {number} for',
  'refusal.invalid.locale':
    'This chat can use Chinese or English: send {cmd}lang zh or {cmd}lang en',
  'refusal.invalid.arguments': 'That command needs other arguments. Use it like this:\n{usage}',

  // Errors outside the use cases
  'error.unknown_command':
    'I don’t know {cmd}{command}. Send {cmd}help for the commands you can use.',
  'error.internal':
    'Something went wrong on our side. Please try again in a minute; if it keeps happening, tell the residents’ committee.',

  // Public board (web pages, feeds, printable notice)
  'board.title': '{community}: public board',
  'board.intro': 'What residents decided, who carries it out and by when.',
  'board.nav.board': 'Board',
  'board.nav.participation': 'Participation',
  'board.nav.feed': 'Atom feed',
  'board.nav.calendar': 'Calendar (iCal)',
  'board.nav.print': 'Printable notice',
  'board.nav.other_language': '中文',
  'board.section.collecting': 'Proposals collecting co-signs',
  'board.section.votes': 'Votes announced and open',
  'board.section.results': 'Recent results',
  'board.section.resolutions': 'Resolutions being carried out',
  'board.section.done': 'Resolutions done',
  'board.section.hot_topics': 'What residents keep raising (last 7 days)',
  'board.hot_topic': '“{term}”: {count} messages from {senders} people',
  'board.none': 'None at the moment.',
  'board.done_more':
    'The {shown} most recently finished of {total}; every resolution keeps its own page and is in the feed.',
  'board.cosigns': 'Co-signs: {count} of {threshold} needed',
  'board.cosign_deadline': 'Co-signing closes {date}',
  'board.vote_opens': 'Voting opens {date}',
  'board.vote_closes': 'Voting closes {date}',
  'board.turnout': 'Turnout: {ballots} of {eligible} ({share, number, percent})',
  'board.tally_hidden': 'For and against are published when the vote closes.',
  'board.tally': 'For {for}, against {against}, abstain {abstain}',
  'board.lead': 'Lead unit: {lead}',
  'board.coop': 'Cooperating units: {coop}',
  'board.due': 'Due {date}',
  'board.progress': 'Progress: {percent}%',
  'board.latest_note': 'Latest report ({date}): {note}',
  'board.overdue': 'Overdue',
  'board.escalation': 'Escalation {label}',
  'board.satisfaction':
    'Satisfaction survey: {satisfied} of {answered} satisfied ({flagged, select, true {under the bar, follow-up needed} other {met the bar}})',
  'board.satisfaction_open': 'Satisfaction survey open',
  'board.details': 'Details of #{number}',
  'board.privacy':
    'This page never shows residents’ names, households, chat accounts or individual ballots.',
  'board.updated': 'As of {date} ({timezone})',
  'board.not_found':
    'There is no such board or item. Check the link, or ask the residents’ committee for the current one.',
  'board.item.timeline': 'Timeline',
  'board.item.no_events': 'Nothing recorded yet.',
  'board.event.proposed': 'Proposed',
  'board.event.agenda': 'Co-sign threshold reached: on the agenda',
  'board.event.scheduled': 'Vote announced: opens {opens}, closes {closes}',
  'board.event.opened': 'Voting opened for {eligible} eligible voters; closes {closes}',
  'board.event.closed':
    'Vote closed: {result}. For {for}, against {against}, abstain {abstain} of {eligible} eligible',
  'board.event.assigned': 'Assigned to {lead}{coop}; due {due}',
  'board.event.assigned_coop': ' with {coop}',
  'board.event.progress': 'Progress report: {percent}%: {note}',
  'board.event.escalated': 'Escalated: {label}',
  'board.event.done': 'Reported done: {note}',
  'board.event.survey':
    'Satisfaction survey: {satisfied} of {answered} satisfied{flagged, select, true { (under the bar)} other {}}',
  'board.event.expired': 'Co-signing window ended below the threshold',
  'board.event.withdrawn': 'Withdrawn',
  'board.chain.intact': 'Audit log intact, sealed up to entry #{index} at {date}.',
  'board.chain.intact_empty': 'Audit log intact; nothing sealed yet.',
  'board.chain.pending': '{count} newer entries are waiting to be sealed.',
  'board.chain.broken': 'Audit log BROKEN: the first bad entry is #{index} ({reason}).',
  'board.participation.title': 'Participation',
  'board.participation.intro':
    'Who takes part, by building. Buildings with fewer than {min} households are shown together as “other buildings”.',
  'board.participation.by_building': 'Share of households that voted, per building',
  'board.participation.building': 'Building',
  'board.participation.households': 'Households',
  'board.participation.vote': 'Vote #{number}',
  'board.participation.cosigned': 'Co-signed or proposed (12 months)',
  'board.participation.other_buildings': 'Other buildings',
  'board.participation.no_votes': 'No vote has closed yet.',
  'board.participation.concentration': 'How concentrated activity is',
  'board.participation.concentration_text':
    'The most active {top} of {households} households (10%) made {proposals, number, percent} of the proposals and {cosigns, number, percent} of the co-signs in the last 12 months.',
  'board.participation.share_proposals': 'Proposals',
  'board.participation.share_cosigns': 'Co-signs',
  'board.participation.share_of_top': 'Share from the most active 10%',
  'board.participation.trend': 'Households taking part, by month',
  'board.participation.month': 'Month',
  'board.participation.active': 'Households',
  'board.participation.share': 'Share',
  'board.print.resolution': 'Notice of resolution',
  'board.print.vote': 'Notice of vote',
  'board.print.scan': 'Scan for the details and the progress of the work',
  'board.print.posted': 'Posted {date}',
  'board.print.issuer': 'Residents’ committee of {community}',
  'board.print.not_printable':
    'Only passed resolutions and announced votes have a printable notice.',
  'feed.title': '{community}: decisions and their progress',
  'feed.result': '#{number} {title}: {result}',
  'feed.assigned': '#{number} {title}: assigned to {lead}, due {due}',
  'feed.progress': '#{number} {title}: progress {percent}%',
  'feed.escalated': '#{number} {title}: {label}',
  'feed.done': '#{number} {title}: done',
  'calendar.name': '{community}: votes and deadlines',
  'calendar.opens': 'Vote opens: #{number} {title}',
  'calendar.closes': 'Vote closes: #{number} {title}',
  'calendar.due': 'Due: #{number} {title} ({lead})',
  'home.title': 'yishi (议事)',
  'home.text':
    'A participation gateway for residential communities: proposals, co-signs, votes and the follow-up of resolutions, in the residents’ chats.',
  'home.start':
    'Residents: join your community’s chat and send /help. Committees: see the README (npx yishi community create). Boards are at /board/KEY; ask your committee for the link.',
  'home.version': 'Version {version}',
  'card.board_link': 'Public page',
} as const;

/** Every message key; each locale's catalogue has exactly these. */
export type MessageKey = keyof typeof en;
