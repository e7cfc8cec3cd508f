package terminal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tgauth/tgauth/machine"
)

// tui runs the login as a Bubble Tea program drawing in place on the terminal. The view is
// the prompt, its question with the line being typed, and one status line; Bubble Tea
// repaints only the lines that changed, so a countdown touches nothing but the status
// line. Lines that are done with (an answer given, a refusal) are printed above the view
// and scroll away with the terminal's history.
func (s *Session) tui(ctx context.Context, snap machine.Snapshot, watch <-chan machine.Snapshot) (machine.Snapshot, error) {
	m := newModel(ctx, s.engine, snap, watch, lipgloss.NewRenderer(s.opts.Out))
	p := tea.NewProgram(m, tea.WithInput(s.opts.In), tea.WithOutput(s.opts.Out),
		tea.WithContext(ctx), tea.WithoutSignalHandler())
	final, err := p.Run()
	if fm, ok := final.(*model); ok {
		m = fm
	}
	for _, l := range m.log {
		fmt.Fprintln(s.opts.Out, l)
	}
	switch {
	case ctx.Err() != nil:
		return m.snap, context.Canceled
	case err != nil:
		return m.snap, err
	}
	return m.snap, m.err
}

// model is the Bubble Tea model of one login.
type model struct {
	ctx    context.Context
	engine *machine.Engine
	watch  <-chan machine.Snapshot
	snap   machine.Snapshot
	form   form
	input  textinput.Model
	spin   spinner.Model
	style  *lipgloss.Renderer
	now    time.Time
	width  int
	height int

	busy     bool  // an input is being sent
	stopping bool  // quit once the input being sent is answered
	err      error // why the program ended before the login did
	done     bool  // the program is quitting: draw nothing more
	problems once
	qr       qrCache
	log      []string // lines to print above the view
	printing int      // how many of them a flush on its way prints
}

// Messages the model receives besides Bubble Tea's own.
type (
	snapMsg   machine.Snapshot // a new version of the login, from the engine's watch
	watchDone struct{}         // the watch ended
	sentMsg   struct {         // the engine's answer to an input
		snap machine.Snapshot
		err  error
	}
	tickMsg    time.Time // a second passed: countdowns move
	printedMsg struct{}  // the lines of the last flush were printed
)

func newModel(ctx context.Context, e *machine.Engine, snap machine.Snapshot, watch <-chan machine.Snapshot, r *lipgloss.Renderer) *model {
	in := textinput.New()
	in.Prompt = ""
	in.Cursor.SetMode(cursor.CursorStatic)
	m := &model{ctx: ctx, engine: e, watch: watch, snap: snap, input: in, style: r, now: time.Now(),
		spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	m.reset()
	return m
}

// Init implements tea.Model: the problem the login comes with, if any, is printed.
func (m *model) Init() tea.Cmd {
	var problem tea.Cmd
	if p := m.snap.Prompt.Problem; p != nil {
		problem = m.print(m.problems.next(p.Text()))
	}
	return tea.Batch(problem, m.next(), tick(), m.spin.Tick, m.input.Focus())
}

// next waits for the next snapshot from the watch.
func (m *model) next() tea.Cmd {
	return func() tea.Msg {
		snap, ok := <-m.watch
		if !ok {
			return watchDone{}
		}
		return snapMsg(snap)
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// reset starts the prompt's form over, with an empty line hidden for a password.
func (m *model) reset() {
	m.form = form{prompt: m.snap.Prompt}
	m.input.Reset()
	m.input.EchoMode = textinput.EchoNormal
	if q, _ := m.form.question(); q.hidden {
		m.input.EchoMode = textinput.EchoNone
	}
}

// Update implements tea.Model.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tickMsg:
		m.now = time.Time(msg)
		return m, tick()
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case watchDone:
		return m.quit(watchEnded(m.ctx))
	case snapMsg:
		return m, tea.Batch(m.show(machine.Snapshot(msg), nil), m.next())
	case sentMsg:
		m.busy = false
		cmd := m.show(msg.snap, msg.err)
		if m.stopping {
			m.done = true
			return m, tea.Sequence(cmd, tea.Quit)
		}
		return m, cmd
	case printedMsg:
		m.log, m.printing = m.log[m.printing:], 0
		return m, m.flush()
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

// show takes a newer snapshot and the refusal of an input, if any: the refusal or a new
// problem is printed once above the view, and the program ends with the login.
func (m *model) show(next machine.Snapshot, err error) tea.Cmd {
	var cmds []tea.Cmd
	if err != nil {
		if text := m.problems.next(err.Error()); text != "" {
			cmds = append(cmds, m.print(text))
		}
	}
	newer := newer(m.snap, next)
	if newer.Version != m.snap.Version || err != nil {
		kind := m.snap.Prompt.Kind
		m.snap = newer
		if err != nil || m.snap.Prompt.Kind != kind {
			m.reset()
		}
	}
	if p := m.snap.Prompt.Problem; p != nil && m.problems.next(p.Text()) != "" {
		cmds = append(cmds, m.print(p.Text()))
	}
	if finished(m.snap.Prompt) {
		m.done = true
		cmds = append(cmds, tea.Quit)
	}
	return tea.Sequence(cmds...)
}

// key handles a key: Ctrl-C and Ctrl-D end the program (after the input being sent, if
// any, was answered), Enter answers the question, any other goes to the line.
func (m *model) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case k.Type == tea.KeyCtrlC:
		return m.quit(context.Canceled)
	case k.Type == tea.KeyCtrlD && m.input.Value() == "":
		return m.quit(ErrInputClosed)
	case k.Type == tea.KeyEnter:
		return m.enter()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return m, cmd
}

// quit ends the program with err, once no input is being sent.
func (m *model) quit(err error) (tea.Model, tea.Cmd) {
	m.err = err
	if m.busy {
		m.stopping = true
		return m, nil
	}
	m.done = true
	return m, tea.Quit
}

// enter answers the current question with the line typed.
func (m *model) enter() (tea.Model, tea.Cmd) {
	q, ok := m.form.question()
	if !ok || m.busy {
		return m, nil
	}
	text := m.input.Value()
	m.input.Reset()
	in, err := m.form.answer(text)
	switch {
	case err != nil:
		return m, m.print(m.form.transcript()+q.label+text, err.Error())
	case in == nil:
		return m, nil // the form's next question
	}
	if q.hidden {
		text = ""
	}
	m.busy = true
	id := m.snap.ID
	send := func() tea.Msg {
		next, err := m.engine.Send(m.ctx, id, in)
		return sentMsg{snap: next, err: err}
	}
	return m, tea.Batch(m.print(m.form.transcript()+q.label+text), send)
}

// print queues lines to print above the view, in order.
func (m *model) print(lines ...string) tea.Cmd {
	for _, l := range lines {
		m.log = append(m.log, strings.TrimSuffix(l, "\n"))
	}
	return m.flush()
}

// flush prints the queued lines, unless lines printed before are still on their way:
// Bubble Tea runs commands concurrently, so one print at a time keeps them in order.
// Lines leave the queue once printed; what is left when the program ends is printed
// after it.
func (m *model) flush() tea.Cmd {
	if m.printing != 0 || len(m.log) == 0 {
		return nil
	}
	m.printing = len(m.log)
	return tea.Sequence(tea.Println(strings.Join(m.log, "\n")), func() tea.Msg { return printedMsg{} })
}

// View implements tea.Model: the prompt, its question and the status line.
func (m *model) View() string {
	if m.done {
		return ""
	}
	p := m.snap.Prompt
	var b strings.Builder
	b.WriteString(body(p))
	if p.Kind == machine.ShowQR && p.QR != nil {
		b.WriteString(m.qr.draw(p.QR.URL, m.width, m.height-strings.Count(b.String(), "\n")-2, m.style))
	}
	if q, ok := m.form.question(); ok {
		b.WriteString(m.form.transcript() + q.label + m.input.View() + "\n")
	}
	switch {
	case m.stopping:
		b.WriteString(m.spin.View() + " stopping once Telegram answers")
	case m.busy || p.Kind == machine.Wait:
		b.WriteString(m.spin.View() + " waiting for Telegram")
	default:
		b.WriteString(status(p, m.now))
	}
	return b.String()
}

// qrCache keeps the QR code last drawn, since the view is drawn on every key.
type qrCache struct {
	url           string
	width, height int
	text          string
}

// draw returns the QR code of url in at most width x height cells, or a line saying the
// terminal is too small for it.
func (c *qrCache) draw(url string, width, height int, r *lipgloss.Renderer) string {
	if c.url != url || c.width != width || c.height != height {
		c.url, c.width, c.height = url, width, height
		c.text = drawQR(url, width, height, r)
		if c.text == "" {
			c.text = "(The terminal is too small for the QR code: enlarge it, or open the URL above on a logged-in phone.)\n"
		}
	}
	return c.text
}
