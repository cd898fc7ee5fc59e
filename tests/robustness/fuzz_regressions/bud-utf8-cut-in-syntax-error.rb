class X
  include Bud
  bloom do
    )éééééééééééééééééééééééééééééééééééééééé
  end
end
