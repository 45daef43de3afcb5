/// A session's turn in progress: the steps still to come and, with the polls pacing, the
/// polls answered since the last step.
struct RunningTurn: Sendable {
    var number: Int
    var steps: ArraySlice<TurnStep>
    var polls = 0
}
