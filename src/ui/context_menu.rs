//! A menu that opens where the user clicked: right-clicking the content asks for it, and a
//! button inside the content (a line's "…") opens it at the button. iced 0.14 has no such
//! widget; this one only places the menu, the application decides whether it is open, as it
//! does for everything else it shows.
//!
//! It also tells when the pointer comes over its content and leaves it (`on_hover`), for a
//! line's bar. Unlike `mouse_area`, it tells only when the pointer itself moves, or the wheel
//! turns (which leaves the line, as what is under the pointer is now scrolling by): a list
//! scrolled under a still pointer brings a new line under it every frame, and each message
//! about it would cost the application a second view and layout of the frame.
//!
//! The menu is drawn as an overlay, above everything and never changing the layout below, and
//! stays inside the window. A press anywhere outside it, the wheel, or Escape closes it; a
//! right click elsewhere then opens the menu of what it lands on.

use iced::advanced::widget::{Operation, Tree, tree};
use iced::advanced::{Clipboard, Layout, Shell, Widget, layout, mouse, overlay, renderer};
use iced::keyboard::{self, key::Named};
use iced::{Element, Event, Length, Point, Rectangle, Size, Vector};

/// `content`, asking for its menu with `on_open` when right-clicked; `menu` is the menu while
/// open, with what closes it.
pub fn context_menu<'a, Message: Clone + 'a>(
    content: impl Into<Element<'a, Message>>,
    on_open: Message,
    menu: Option<(Element<'a, Message>, Message)>,
) -> ContextMenu<'a, Message> {
    let (menu, on_close) = menu.unzip();
    ContextMenu { content: content.into(), on_open, menu, on_close, on_hover: None, owner: None }
}

pub struct ContextMenu<'a, Message> {
    content: Element<'a, Message>,
    on_open: Message,
    menu: Option<Element<'a, Message>>,
    on_close: Option<Message>,
    /// Told when the pointer comes over the content, and when it leaves.
    on_hover: Option<(Message, Message)>,
    /// What the content is (a line's id): the state a list hands from one content to another
    /// starts afresh, rather than say that the pointer is over a line it never came to.
    owner: Option<i64>,
}

impl<'a, Message: Clone + 'a> ContextMenu<'a, Message> {
    /// Say `enter` when the pointer comes over the content, `leave` when it goes; `owner`
    /// names the content.
    pub fn on_hover(mut self, owner: i64, enter: Message, leave: Message) -> Self {
        self.on_hover = Some((enter, leave));
        self.owner = Some(owner);
        self
    }
}

impl<'a, Message: Clone + 'a> From<ContextMenu<'a, Message>> for Element<'a, Message> {
    fn from(menu: ContextMenu<'a, Message>) -> Self {
        Element::new(menu)
    }
}

#[derive(Debug, Default)]
struct Pointer {
    /// Where the last press in the content was, from its top left corner: a menu opens there.
    pressed: Option<Vector>,
    /// Whether the pointer was last seen over the content.
    over: bool,
    /// The content this was seen for.
    owner: Option<i64>,
}

impl<Message: Clone> ContextMenu<'_, Message> {
    fn elements(&self) -> Vec<&Element<'_, Message>> {
        std::iter::once(&self.content).chain(&self.menu).collect()
    }
}

impl<Message: Clone> Widget<Message, iced::Theme, iced::Renderer> for ContextMenu<'_, Message> {
    fn size(&self) -> Size<Length> {
        self.content.as_widget().size()
    }

    fn size_hint(&self) -> Size<Length> {
        self.content.as_widget().size_hint()
    }

    fn tag(&self) -> tree::Tag {
        tree::Tag::of::<Pointer>()
    }

    fn state(&self) -> tree::State {
        tree::State::new(Pointer { owner: self.owner, ..Pointer::default() })
    }

    fn children(&self) -> Vec<Tree> {
        self.elements().into_iter().map(Tree::new).collect()
    }

    fn diff(&self, tree: &mut Tree) {
        let pointer = tree.state.downcast_mut::<Pointer>();
        if pointer.owner != self.owner {
            *pointer = Pointer { owner: self.owner, ..Pointer::default() };
        }
        let elements: Vec<_> = self.elements().into_iter().map(Element::as_widget).collect();
        tree.diff_children(&elements);
    }

    fn layout(
        &mut self,
        tree: &mut Tree,
        renderer: &iced::Renderer,
        limits: &layout::Limits,
    ) -> layout::Node {
        self.content.as_widget_mut().layout(&mut tree.children[0], renderer, limits)
    }

    fn operate(
        &mut self,
        tree: &mut Tree,
        layout: Layout<'_>,
        renderer: &iced::Renderer,
        operation: &mut dyn Operation,
    ) {
        self.content.as_widget_mut().operate(&mut tree.children[0], layout, renderer, operation);
    }

    fn update(
        &mut self,
        tree: &mut Tree,
        event: &Event,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        renderer: &iced::Renderer,
        clipboard: &mut dyn Clipboard,
        shell: &mut Shell<'_, Message>,
        viewport: &Rectangle,
    ) {
        let pointer = tree.state.downcast_mut::<Pointer>();
        if let Some((enter, leave)) = &self.on_hover {
            let over = match event {
                Event::Mouse(mouse::Event::CursorMoved { .. }) => cursor.is_over(layout.bounds()),
                Event::Mouse(mouse::Event::WheelScrolled { .. } | mouse::Event::CursorLeft) => {
                    false
                }
                _ => pointer.over,
            };
            if over != pointer.over {
                pointer.over = over;
                shell.publish(if over { enter.clone() } else { leave.clone() });
            }
        }
        if let Event::Mouse(mouse::Event::ButtonPressed(button)) = event
            && let Some(at) = cursor.position_over(layout.bounds())
        {
            pointer.pressed = Some(at - layout.position());
            if *button == mouse::Button::Right {
                shell.publish(self.on_open.clone());
                shell.capture_event();
                return;
            }
        }
        self.content.as_widget_mut().update(
            &mut tree.children[0],
            event,
            layout,
            cursor,
            renderer,
            clipboard,
            shell,
            viewport,
        );
    }

    fn mouse_interaction(
        &self,
        tree: &Tree,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
        renderer: &iced::Renderer,
    ) -> mouse::Interaction {
        self.content.as_widget().mouse_interaction(
            &tree.children[0],
            layout,
            cursor,
            viewport,
            renderer,
        )
    }

    fn draw(
        &self,
        tree: &Tree,
        renderer: &mut iced::Renderer,
        theme: &iced::Theme,
        style: &renderer::Style,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
    ) {
        self.content.as_widget().draw(
            &tree.children[0],
            renderer,
            theme,
            style,
            layout,
            cursor,
            viewport,
        );
    }

    fn overlay<'b>(
        &'b mut self,
        tree: &'b mut Tree,
        layout: Layout<'b>,
        renderer: &iced::Renderer,
        viewport: &Rectangle,
        translation: Vector,
    ) -> Option<overlay::Element<'b, Message, iced::Theme, iced::Renderer>> {
        let pressed = tree.state.downcast_ref::<Pointer>().pressed;
        let mut children = tree.children.iter_mut();
        let content_tree = children.next()?;
        let inner = self.content.as_widget_mut().overlay(
            content_tree,
            layout,
            renderer,
            viewport,
            translation,
        );
        let origin = layout.position() + translation;
        // Opened before any press in the content was seen: at its top right.
        let at = pressed.unwrap_or(Vector::new(layout.bounds().width, 0.0));
        let menu = match (&mut self.menu, children.next(), &self.on_close) {
            (Some(menu), Some(tree), Some(on_close)) => {
                Some(overlay::Element::new(Box::new(Menu {
                    menu,
                    tree,
                    at: origin + at,
                    on_close: on_close.clone(),
                })))
            }
            _ => None,
        };
        let layers: Vec<_> = inner.into_iter().chain(menu).collect();
        (!layers.is_empty()).then(|| overlay::Group::with_children(layers).overlay())
    }
}

/// The open menu, placed at `at` and kept inside the window.
struct Menu<'a, 'b, Message> {
    menu: &'b mut Element<'a, Message>,
    tree: &'b mut Tree,
    at: Point,
    on_close: Message,
}

impl<Message: Clone> overlay::Overlay<Message, iced::Theme, iced::Renderer>
    for Menu<'_, '_, Message>
{
    fn layout(&mut self, renderer: &iced::Renderer, bounds: Size) -> layout::Node {
        let limits = layout::Limits::new(Size::ZERO, bounds);
        let node = self.menu.as_widget_mut().layout(self.tree, renderer, &limits);
        let size = node.size();
        let x = self.at.x.min(bounds.width - size.width).max(0.0);
        // Below the pointer when it fits, else above it; inside the window either way.
        let y = if self.at.y + size.height <= bounds.height {
            self.at.y
        } else {
            self.at.y - size.height
        };
        let y = y.min(bounds.height - size.height).max(0.0);
        node.move_to(Point::new(x, y))
    }

    fn draw(
        &self,
        renderer: &mut iced::Renderer,
        theme: &iced::Theme,
        style: &renderer::Style,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
    ) {
        let everywhere = Rectangle::with_size(Size::INFINITE);
        self.menu.as_widget().draw(self.tree, renderer, theme, style, layout, cursor, &everywhere);
    }

    fn operate(
        &mut self,
        layout: Layout<'_>,
        renderer: &iced::Renderer,
        operation: &mut dyn Operation,
    ) {
        self.menu.as_widget_mut().operate(self.tree, layout, renderer, operation);
    }

    fn update(
        &mut self,
        event: &Event,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        renderer: &iced::Renderer,
        clipboard: &mut dyn Clipboard,
        shell: &mut Shell<'_, Message>,
    ) {
        let outside = !cursor.is_over(layout.bounds());
        // Whether the menu closes, and if so whether the event is taken with it. A right
        // click elsewhere goes on to open the menu of what it lands on; the wheel goes on to
        // scroll the list the line moves away in.
        let closes = match event {
            Event::Mouse(
                mouse::Event::ButtonPressed(mouse::Button::Right)
                | mouse::Event::WheelScrolled { .. },
            ) if outside => Some(false),
            Event::Mouse(mouse::Event::ButtonPressed(_)) if outside => Some(true),
            Event::Keyboard(keyboard::Event::KeyPressed {
                key: keyboard::Key::Named(Named::Escape),
                ..
            }) => Some(true),
            _ => None,
        };
        if let Some(taken) = closes {
            shell.publish(self.on_close.clone());
            if taken {
                shell.capture_event();
            }
            return;
        }
        let bounds = layout.bounds();
        self.menu
            .as_widget_mut()
            .update(self.tree, event, layout, cursor, renderer, clipboard, shell, &bounds);
        // What lands on the menu (its padding too) is the menu's, never the lines' below.
        if !outside
            && matches!(
                event,
                Event::Mouse(mouse::Event::ButtonPressed(_) | mouse::Event::WheelScrolled { .. })
            )
        {
            shell.capture_event();
        }
    }

    fn mouse_interaction(
        &self,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        renderer: &iced::Renderer,
    ) -> mouse::Interaction {
        let bounds = layout.bounds();
        let over_entry =
            self.menu.as_widget().mouse_interaction(self.tree, layout, cursor, &bounds, renderer);
        match over_entry {
            // Over the menu's own background: the pointer is still the menu's.
            mouse::Interaction::None if cursor.is_over(bounds) => mouse::Interaction::Idle,
            interaction => interaction,
        }
    }
}
